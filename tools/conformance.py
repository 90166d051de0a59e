"""sphinx-gallery's own integration tests, run with the execution engine and without.

sphinx-gallery ships its integration tests inside the installed package
(``sphinx_gallery/tests/test_full.py``, ``test_full_noexec.py``) together with
``tinybuild/``, the site they build. This script runs them twice, each time
from a fresh copy of that folder (the tests build inside ``tinybuild/``, so the
installed package is never written to):

* **stock**: the copy as installed;
* **engine**: the same copy with the engine appended to tinybuild's
  ``extensions`` (:data:`ENGINE`) and nothing else changed.

Every test that stock sphinx-gallery passes on this machine must pass with the
engine, and one that fails with stock (one that needs the network, say) must
fail with the same message, so that it hides no difference. A test that does not is a regression, unless ``tools/conformance_gaps.txt``
lists it with the reason (a known gap, to be fixed and removed from the list);
a listed test that passes again must be removed from the list. Either way the
script exits 1, so the list only ever shrinks. Both counts are printed.

Then the execution cache on tinybuild, as machines share it: one copy is built
as usual; three more copies, at other paths, each fill one shared cache with
their share of the examples (``example_shard = "i/3"``), one after another;
a fifth copy is built from that cache alone (``execute = "never"``). It must
run nothing and publish the same site as the usual build: the same files,
the same pages, printed output, images and downloads (run times aside).

Usage: ``python tools/conformance.py [-k EXPR] [--keep DIR] [--no-cache-check]``
(``make conformance``). It needs the test dependencies of requirements.txt
(jupyterlite-sphinx, sphinxcontrib-video, lxml, joblib, imageio-ffmpeg).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

#: The extension a sphinx-gallery site adds to use the execution engine.
ENGINE = "gallery_runner"
#: sphinx-gallery's test modules that build tinybuild.
TEST_MODULES = ("test_full.py", "test_full_noexec.py")
GAPS = Path(__file__).with_name("conformance_gaps.txt")


def installed_tests() -> Path:
    import sphinx_gallery

    tests = Path(sphinx_gallery.__file__).parent / "tests"
    if not (tests / "tinybuild" / "doc" / "conf.py").is_file():
        sys.exit(f"{tests} has no tinybuild: this sphinx-gallery was installed without its tests")
    return tests


def ffmpeg_on_path(bindir: Path) -> dict[str, str]:
    """The environment, with an ``ffmpeg`` on PATH (the one the imageio-ffmpeg wheel carries) if none is."""
    env = dict(os.environ)
    if shutil.which("ffmpeg"):
        return env
    try:
        import imageio_ffmpeg
    except ImportError:
        sys.exit("no ffmpeg on PATH, and imageio-ffmpeg is not installed: pip install -r requirements.txt")
    bindir.mkdir(parents=True, exist_ok=True)
    (bindir / "ffmpeg").symlink_to(imageio_ffmpeg.get_ffmpeg_exe())
    env["PATH"] = f"{bindir}{os.pathsep}{env.get('PATH', '')}"
    return env


def copy_tests(tests: Path, to: Path, engine: bool) -> Path:
    shutil.copytree(tests, to, ignore=shutil.ignore_patterns("__pycache__", "_build", "auto_examples*", "gen_modules"))
    if engine:
        conf = to / "tinybuild" / "doc" / "conf.py"
        text = conf.read_text(encoding="utf-8")
        conf.write_text(f"{text}\n\n# Added by tools/conformance.py: the only change.\nextensions.append({ENGINE!r})\n",
                        encoding="utf-8")
    return to


def run(side: str, tests: Path, work: Path, env: dict[str, str], select: str | None) -> dict[str, str]:
    """Run the test modules on one side; return {test id: outcome}, a failure's outcome with its message."""
    copy = copy_tests(tests, work / side / "tests", engine=side == "engine")
    report = work / f"{side}.xml"
    command = [sys.executable, "-m", "pytest", *[str(copy / name) for name in TEST_MODULES],
               "-p", "no:cacheprovider", "-q", "-rfE", "--tb=line", f"--junitxml={report}",
               f"--basetemp={work / side / 'tmp'}", "-W", "ignore::pytest.PytestUnknownMarkWarning"]
    if select:
        command += ["-k", select]
    print(f"== {side}: {' '.join(command[3:5])} ...", flush=True)
    # cwd: the copy, so that this project's pytest settings do not apply.
    subprocess.run(command, cwd=copy, env=env, check=False)
    return outcomes(report, work / side)


def outcomes(report: Path, side: Path | None = None) -> dict[str, str]:
    """{test id: "passed", "skipped" or "failed: <first line of its message>"} from a JUnit report."""
    results = {}
    if not report.is_file():
        return results
    for case in ET.parse(report).getroot().iter("testcase"):
        name = f"{case.get('classname', '').rpartition('.')[2]}::{case.get('name')}"
        failure = next((child for child in case if child.tag in ("failure", "error")), None)
        if failure is not None:
            message = (failure.get("message") or "").splitlines()[0] if failure.get("message") else ""
            if side is not None:
                message = message.replace(str(side), "{side}")
            results[name] = f"failed: {re.sub(r'0x[0-9a-f]+', '0x', message)}"
        else:
            results[name] = "skipped" if any(child.tag == "skipped" for child in case) else "passed"
    return results


def read_gaps(path: Path = GAPS) -> dict[str, str]:
    """{test id: reason} of the known gaps, one ``test id  # reason`` a line."""
    gaps = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            test, _, reason = line.partition("#")
            if test.strip():
                gaps[test.strip()] = reason.strip()
    return gaps


def engine_copy(tests: Path, to: Path) -> Path:
    """A copy of tinybuild with the engine added to its extensions; returns its conf.py's folder."""
    copy_tests(tests, to / "tests", engine=True)
    return to / "tests" / "tinybuild" / "doc"


def sphinx(doc: Path, env: dict[str, str], *options: str, builder: str = "html") -> tuple[int, str]:
    result = subprocess.run([sys.executable, "-m", "sphinx", "-b", builder, "-d", "_build/doctrees", *options,
                             ".", f"_build/{builder}"], cwd=doc, env=env, capture_output=True, text=True, check=False)
    return result.returncode, result.stdout + result.stderr


#: What differs between two runs of the same example wherever they run: the time and memory it took,
#: the addresses of objects it printed, and when it ran (its record and the line that shows it).
_MEASURED = re.compile(r"\d+(?:\.\d+)?(?= seconds)|\d\d:\d\d\.\d\d\d|\d+(?:\.\d+)? MB|"
                       r'time="[\d.]+"|"time": [\d.e-]+|"memory": [\d.e-]+|<dc:date>[^<]*</dc:date>|0x[0-9a-f]{6,}|'
                       r'"run_time": [\d.]+|(?<=\bin )\d+(?:\.\d+)?(?= s\b)|\d{4}-\d\d-\d\d(?:T\d\d:\d\d:\d\d\+00:00)?')


#: What says how this build ran, not what it publishes: sphinx-gallery's JUnit report (the examples run in
#: this build) and Sphinx's build information.
_RUN_REPORTS = {"sphinx-gallery/junit-results.xml", ".buildinfo"}


def site_text(name: str, data: bytes, roots: tuple[str, ...] = ()) -> bytes:
    """A text file's bytes with the measured times and the copies' paths masked; other files' as they are."""
    if Path(name).suffix not in {".html", ".txt", ".rst", ".py", ".ipynb", ".xml", ".js", ".json", ".svg"}:
        return data
    text = data.decode("utf-8", "replace")
    for root in roots:  # an example that prints its own path prints where its copy was
        text = text.replace(root, "{tinybuild}")
    return _MEASURED.sub("#", text).encode()


def site_files(html: Path, roots: tuple[str, ...] = ()) -> dict[str, bytes]:
    """Every file of a built site, by path, with the measured times masked in its text (and in a zip's)."""
    files = {}
    for path in sorted(html.rglob("*")):
        relative = path.relative_to(html).as_posix()
        if (not path.is_file() or relative.startswith(("lite/", ".doctrees/")) or relative in _RUN_REPORTS
                or path.name.startswith("sg_execution_times")):  # run times, in the order of their length
            continue
        data = path.read_bytes()
        if path.suffix == ".zip":  # its members, not the time stamps a zip keeps of them
            with zipfile.ZipFile(path) as archive:
                data = b"\0".join(name.encode() + b"\0" + site_text(name, archive.read(name), roots)
                                   for name in sorted(archive.namelist()))
        files[relative] = site_text(path.name, data, roots) if path.suffix != ".zip" else data
    return files


def cache_only(tests: Path, work: Path, env: dict[str, str]) -> list[str]:
    """tinybuild built as usual, and from a cache three shards filled; what went wrong, if anything.

    Two usual builds are made, in two copies: what differs between them (an
    example that draws random numbers without a seed) cannot be asked of the
    build from the cache either. Every other file must be the same.
    """
    root = work / "cache-only"
    shared = root / "shared-cache"
    usual_docs = []
    for name in ("usual", "usual-again"):
        doc = engine_copy(tests, root / name)
        status, log = sphinx(doc, env, "-D", f"execution_cache={root / name / 'cache'}")
        if "Unexpected failing examples" in log or "expected to fail, but not failing" in log:
            return [f"the usual build of tinybuild in {doc} failed:\n{log[-3000:]}"]
        usual_docs.append(doc)
    problems = []
    shard_docs = []
    for index in (1, 2, 3):
        doc = engine_copy(tests, root / f"shard-{index}" / Path(*["elsewhere"] * index))  # paths of other depths
        shard_docs.append(doc)
        status, log = sphinx(doc, env, "-D", f"execution_cache={shared}", "-D", f"example_shard={index}/3",
                             builder="dummy")
        print(f"== shard {index}/3 into one cache: exit status {status}; "
              + next((line for line in log.splitlines() if "did not end as expected" in line), "(no summary)"),
              flush=True)
        if status != 0:
            problems.append(f"shard {index}/3 ended with status {status}:\n{log[-3000:]}")
    published = engine_copy(tests, root / "published")
    status, log = sphinx(published, env, "-D", f"execution_cache={shared}", "-D", "execute=never")
    ran = [line for line in log.splitlines() if line.startswith("running ") or "would have to run" in line]
    print(f"== built from that cache alone: exit status {status}; " + (ran[0] if ran else "nothing ran"), flush=True)
    if status != 0 or ran:
        problems.append(f"the build from the cache alone ran something or failed ({status}):\n{log[-3000:]}")
        return problems
    roots = tuple(str(doc.parent) for doc in [*usual_docs, *shard_docs, published])
    usual, again, cached = (site_files(doc / "_build" / "html", roots) for doc in [*usual_docs, published])
    unstable = {name for name in set(usual) | set(again) if usual.get(name) != again.get(name)}
    differ = []
    for name in sorted((set(usual) | set(cached)) - unstable):
        if usual.get(name) != cached.get(name):
            what = "is missing" if name not in cached else "is extra" if name not in usual else "differs"
            differ.append(f"{name} {what} in the site built from the cache")
    print(f"== {len(usual)} files in the usual site ({len(unstable)} differ between two usual builds), "
          f"{len(cached)} in the one from the cache; {len(differ)} other differences", flush=True)
    return problems + differ


def compare(stock: dict[str, str], engine: dict[str, str], gaps: dict[str, str], complete: bool) -> list[str]:
    """What is wrong: regressions not listed, listed gaps that pass (only judged on a complete run)."""
    problems = []
    for test, outcome in sorted(stock.items()):
        if test in gaps:
            continue
        if outcome == "passed" and engine.get(test) != "passed":
            problems.append(f"{test}: passes with stock sphinx-gallery, {engine.get(test, 'not run')} with the engine")
        elif outcome.startswith("failed") and engine.get(test) != outcome:
            # A test that fails on both sides (offline, say) must fail the same way, or it hides a difference.
            problems.append(f"{test}: {outcome} with stock sphinx-gallery, {engine.get(test, 'not run')} with the "
                            "engine")
    if complete:
        for test in sorted(gaps):
            if test in stock and engine.get(test) == stock[test]:
                problems.append(f"{test}: the engine does as stock sphinx-gallery now: remove it from {GAPS.name}")
            elif test not in stock:
                problems.append(f"{test}: listed in {GAPS.name}, but sphinx-gallery has no such test")
    return problems


def count(results: dict[str, str], outcome: str) -> int:
    return sum(1 for value in results.values() if value.split(":")[0] == outcome)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-k", dest="select", help="only the tests matching this pytest expression")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    parser.add_argument("--no-cache-check", action="store_true", help="only sphinx-gallery's tests, not the cache")
    args = parser.parse_args(argv)
    tests = installed_tests()
    if args.keep:
        work = args.keep.resolve()
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
    else:
        work = Path(tempfile.mkdtemp(prefix="conformance-"))
    try:
        env = ffmpeg_on_path(work / "bin")
        env.pop("PYTEST_ADDOPTS", None)
        stock = run("stock", tests, work, env, args.select)
        engine = run("engine", tests, work, env, args.select)
        cache_problems = [] if args.no_cache_check or args.select else cache_only(tests, work, env)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    gaps = read_gaps()
    print(f"\nsphinx-gallery's {' and '.join(TEST_MODULES)} on tinybuild, {len(stock)} tests:")
    for side, results in (("stock sphinx-gallery", stock), (f"with {ENGINE}", engine)):
        print(f"  {side:>22}: {count(results, 'passed')} passed, {count(results, 'failed')} failed, "
              f"{count(results, 'skipped')} skipped")
    known = sorted(test for test in gaps if test in stock and engine.get(test) != stock[test])
    if known:
        print(f"  known gaps ({GAPS.name}): {len(known)}")
        for test in known:
            print(f"    {test}: {gaps[test]}")
    if not stock:
        print("no test ran: see the output above")
        return 1
    problems = compare(stock, engine, gaps, complete=args.select is None) + cache_problems
    for problem in problems:
        print(f"ERROR: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
