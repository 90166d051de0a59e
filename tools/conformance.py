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
engine. A test that does not is a regression, unless ``tools/conformance_gaps.txt``
lists it with the reason (a known gap, to be fixed and removed from the list);
a listed test that passes again must be removed from the list. Either way the
script exits 1, so the list only ever shrinks. Both counts are printed.

Usage: ``python tools/conformance.py [--only stock|engine] [-k EXPR] [--keep DIR]``
(``make conformance``). It needs the test dependencies of requirements.txt
(jupyterlite-sphinx, sphinxcontrib-video, lxml, joblib, imageio-ffmpeg).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
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
    """Run the test modules on one side; return {test id: outcome}."""
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
    return outcomes(report)


def outcomes(report: Path) -> dict[str, str]:
    results = {}
    if not report.is_file():
        return results
    for case in ET.parse(report).getroot().iter("testcase"):
        name = f"{case.get('classname', '').rpartition('.')[2]}::{case.get('name')}"
        kinds = {child.tag for child in case}
        results[name] = ("failed" if kinds & {"failure", "error"} else "skipped" if "skipped" in kinds else "passed")
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


def compare(stock: dict[str, str], engine: dict[str, str], gaps: dict[str, str], complete: bool) -> list[str]:
    """What is wrong: regressions not listed, listed gaps that pass (only judged on a complete run)."""
    problems = []
    passed = [test for test, outcome in stock.items() if outcome == "passed"]
    for test in sorted(passed):
        if engine.get(test) != "passed" and test not in gaps:
            problems.append(f"{test}: passes with stock sphinx-gallery, {engine.get(test, 'not run')} with the engine")
    if complete:
        for test in sorted(gaps):
            if engine.get(test) == "passed":
                problems.append(f"{test}: passes with the engine now: remove it from {GAPS.name}")
            elif test not in stock:
                problems.append(f"{test}: listed in {GAPS.name}, but sphinx-gallery has no such test")
    return problems


def count(results: dict[str, str], outcome: str) -> int:
    return sum(1 for value in results.values() if value == outcome)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-k", dest="select", help="only the tests matching this pytest expression")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
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
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    gaps = read_gaps()
    print(f"\nsphinx-gallery's {' and '.join(TEST_MODULES)} on tinybuild, {len(stock)} tests:")
    for side, results in (("stock sphinx-gallery", stock), (f"with {ENGINE}", engine)):
        print(f"  {side:>22}: {count(results, 'passed')} passed, {count(results, 'failed')} failed, "
              f"{count(results, 'skipped')} skipped")
    known = sorted(test for test in gaps if stock.get(test) == "passed" and engine.get(test) != "passed")
    if known:
        print(f"  known gaps ({GAPS.name}): {len(known)}")
        for test in known:
            print(f"    {test}: {gaps[test]}")
    if not stock:
        print("no test ran: see the output above")
        return 1
    problems = compare(stock, engine, gaps, complete=args.select is None)
    for problem in problems:
        print(f"ERROR: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
