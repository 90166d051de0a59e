"""A build never lies: failures are loud and precise, and output always heals.

Each test breaks a private copy of the built fixture site (``built_fixture``:
two numpy examples, built by the same extension as the real site) and
rebuilds it exactly as ``make html`` does; only the examples a test touched
run again. The messages asserted here are the ones a user sees (the README's
"When an example fails" shows them).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import (
    FIXTURE_GALLERY as GALLERY,
    ROOT,
    broken_links,
    build_env,
    build_site,
    copy_project,
    fingerprint_differences,
    no_network,
    site_fingerprint,
)


def insert_before(script: Path, anchor: str, *lines: str) -> int:
    """Insert ``lines`` before the line ``anchor``; return the first one's number."""
    text = script.read_text(encoding="utf-8").splitlines(keepends=True)
    index = text.index(anchor + "\n")
    text[index:index] = [line + "\n" for line in lines]
    script.write_text("".join(text), encoding="utf-8")
    return index + 1


def touch(script: Path) -> None:
    """Change an example's source without changing what it does, so it runs again."""
    with script.open("a", encoding="utf-8") as f:
        f.write("\n# changed\n")


def rerun(project: Path, stem: str) -> None:
    """Make an example run again in the next build, its source unchanged (its checksum and cache entry go)."""
    (checksum,) = (project / "docs" / "auto_examples").glob(f"*/{stem}.py.md5")
    checksum.unlink()
    forget_cached(project, stem)


def forget_cached(project: Path, stem: str) -> None:
    """Remove the execution cache's entries of the example ``stem``."""
    for entry in (project / "_build" / "execution-cache").glob("*/entry.json"):
        if entry.read_text(encoding="utf-8").count(f'/{stem}.py"'):
            shutil.rmtree(entry.parent)


def build_log(project: Path, **kwargs) -> tuple[int, str]:
    result = build_site(project, timeout=600, **kwargs)
    return result.returncode, result.stdout + result.stderr


def build_fails(project: Path, *scripts: Path, env: dict | None = None, strict: bool = True) -> str:
    """Build ``project``; the build must fail because of ``scripts``. Returns its log."""
    status, log = build_log(project, env=env, strict=strict)
    assert status != 0
    names = ", ".join(f"../{script.relative_to(project).as_posix()}" for script in sorted(scripts))
    count = f"{len(scripts)} example{'s' if len(scripts) > 1 else ''}"
    assert f"ERROR: {count} failed, so the build fails: {names}" in log, log[-4000:]
    assert "Extension error" not in log and "sphinx-err-" not in log  # no crash report
    return log


def printed_on(project: Path, folder: str, stem: str) -> str:
    page = project / "docs" / GALLERY[folder] / f"{stem}.rst"
    return "\n".join(line for line in page.read_text(encoding="utf-8").splitlines() if line.startswith("    "))


# -- An exception, a syntax error ------------------------------------------------------


def test_an_example_that_raises_fails_the_build_naming_file_line_and_exception(built_fixture):
    script = built_fixture / "examples_line" / "fit_line.py"
    original = script.read_text(encoding="utf-8")
    line = insert_before(script, "losses = []", 'raise RuntimeError("broken on purpose")')
    touch(built_fixture / "examples_curve" / "fit_curve.py")  # a second example to run

    log = build_fails(built_fixture, script)
    assert "running 2 examples, each in a process of its own" in log
    assert f'{script}", line {line}, in <module>' in log
    assert "RuntimeError: broken on purpose" in log
    assert log.count("RuntimeError: broken on purpose") == 2  # its warning and the summary

    # Fixed, the example runs again and its page shows no trace of the failure.
    script.write_text(original, encoding="utf-8")
    status, log = build_log(built_fixture)
    assert status == 0, log
    page = built_fixture / "_build/html" / GALLERY["examples_line"] / "fit_line.html"
    html = page.read_text(encoding="utf-8")
    assert "step 100  loss" in html and "broken on purpose" not in html


def test_an_example_with_a_syntax_error_fails_the_build_naming_file_and_line(built_fixture):
    script = built_fixture / "examples_curve" / "fit_curve.py"
    with script.open("a", encoding="utf-8") as f:
        f.write('print("never closed"\n')
    line = len(script.read_text(encoding="utf-8").splitlines())

    # Without -W too: a failed example is an error, not a warning.
    log = build_fails(built_fixture, script, strict=False)
    assert f'{script}", line {line}' in log
    assert "SyntaxError: " in log


# -- Every other way an example can end ---------------------------------------------------


def test_every_way_an_example_can_end_fails_the_build_once_naming_it(fixture_site, built_fixture):
    """sys.exit(0), sys.exit(1), os._exit, a segfault and a C call past the time limit, in one build."""
    breakages = {
        "exits_0.py": "import sys; sys.exit(0)",
        "exits_1.py": "import sys; sys.exit(1)",
        "os_exit.py": "import os; os._exit(3)",
        "segfault.py": "import ctypes; ctypes.string_at(0)",
        "hangs_in_c.py": "import ctypes; ctypes.CDLL(None).sleep(600)",
    }
    model = built_fixture / "examples_line" / "fit_line.py"
    lines = {}
    for name, code in breakages.items():
        script = built_fixture / "examples_line" / name
        shutil.copy2(model, script)
        lines[name] = insert_before(script, "losses = []", code)
    rerun(built_fixture, "fit_curve")  # runs beside them, and passes

    html = built_fixture / "_build" / "html"
    last_good_site = {path.relative_to(html) for path in html.rglob("*") if path.is_file()}
    start = time.monotonic()
    log = build_fails(built_fixture, *(built_fixture / "examples_line" / name for name in breakages),
                      env={"EXAMPLE_TIME_LIMIT": "3"})
    assert time.monotonic() - start < 60  # no hang: the C call was killed at 3 s

    def where(name):
        return f'File "{built_fixture / "examples_line" / name}", line {lines[name]}'

    expected = {
        "exits_0.py": rf'{where("exits_0.py")}, in <module>\n(?:.*\n){{1,3}}?'
                      r"\s*SystemExit: 0\n\s*exits_0\.py called sys\.exit\(0\), which ends the "
                      r"program before its page is complete",
        "exits_1.py": r"exits_1\.py called sys\.exit\(1\)",
        "os_exit.py": r"os_exit\.py ended its process with exit status 3 before it "
                      rf"finished.*\n\s*Where it was:\n\s*{where('os_exit.py')}",
        "segfault.py": r"segfault\.py crashed: its process was killed by "
                       r"signal 11 \(SIGSEGV, Segmentation fault\)\.\n\s*Where it was:\n.*\n\s*"
                       + where("segfault.py"),
        "hangs_in_c.py": r"hangs_in_c\.py ran for [3-9]\.\d s, past the time limit of 3 s per example, so its "
                         r"process was stopped .*\n\s*Where it was when stopped:\n\s*" + where("hangs_in_c.py"),
    }
    for name, pattern in expected.items():
        assert re.search(pattern, log), f"{name}:\n{log[-6000:]}"
        assert len(re.findall(pattern, log)) == 2, name  # its warning and the summary: reported once, run once
    assert log.count("each in a process of its own") == 1  # nothing ran a second time

    # The example that passed has its complete page...
    curve_page = (html / GALLERY["examples_curve"] / "fit_curve.html").read_text(encoding="utf-8")
    assert "final loss" in curve_page and "sphx_glr_fit_curve_001.png" in curve_page
    # ...and the failed build deleted nothing of the last good site.
    assert not {p for p in last_good_site if not (html / p).is_file()}
    assert not broken_links(html)

    # Fixed (the broken examples removed), every page is back to what a clean build gives.
    for name in breakages:
        (built_fixture / "examples_line" / name).unlink()
    status, log = build_log(built_fixture)
    assert status == 0, log[-4000:]
    assert not fingerprint_differences(site_fingerprint(built_fixture), site_fingerprint(fixture_site.project))


# -- One example cannot reach another --------------------------------------------------


def test_what_one_example_changes_in_its_process_never_reaches_another(fixture_site, built_fixture):
    script = built_fixture / "examples_line" / "fit_line.py"
    # Silence print for whatever runs after it in the same process.
    insert_before(script, "losses = []", "import builtins", "builtins.print = lambda *args, **kwargs: None")
    rerun(built_fixture, "fit_curve")
    # Longest first: the changed example runs first, one at a time, the way state would leak.
    (built_fixture / "docs" / GALLERY["examples_line"] / "fit_line.cost.json").write_text(
        '{"time": 99.0, "memory": 0.0}')

    status, log = build_log(built_fixture, env={"EXAMPLE_WORKERS": "1"})
    assert status == 0, log[-4000:]
    assert log.index("fit_line.py") < log.index("fit_curve.py")  # the order the examples ran in
    assert "step 100  loss" not in printed_on(built_fixture, "examples_line", "fit_line")
    assert printed_on(built_fixture, "examples_curve", "fit_curve") == printed_on(
        fixture_site.project, "examples_curve", "fit_curve")
    assert "final loss" in printed_on(built_fixture, "examples_curve", "fit_curve")
    assert "running 2 examples, each in a process of its own, 1 at a time" in log


# -- Warnings -----------------------------------------------------------------------------


def test_a_warning_fails_every_build_until_it_is_fixed(built_fixture):
    index = built_fixture / "docs" / "index.rst"
    original = index.read_text(encoding="utf-8")
    index.write_text(original + "\nSee :ref:`no-such-section`.\n", encoding="utf-8")
    for attempt in range(2):  # the second build changes nothing, and still fails
        status, log = build_log(built_fixture)
        assert status != 0, f"build {attempt + 1} passed over a broken reference"
        assert "undefined label: 'no-such-section'" in log
    index.write_text(original, encoding="utf-8")
    status, log = build_log(built_fixture)
    assert status == 0, log[-4000:]
    assert "WARNING" not in log


def test_sphinxopts_adds_to_the_strict_options_instead_of_replacing_them():
    command = subprocess.run(
        ["make", "-n", "html", "SPHINXOPTS=-v -j 1"], cwd=ROOT, capture_output=True, text=True, check=True,
        env={**os.environ, "VIRTUAL_ENV": str(Path(sys.executable).parents[1])},
    ).stdout
    lines = [line for line in command.splitlines() if "sphinx_build.py" in line]
    assert len(lines) == 2  # English, then the translations
    for line in lines:
        assert "-W --keep-going" in line and line.rstrip(" \\;").endswith("-v -j 1"), line


# -- Output heals -----------------------------------------------------------------------------

# Lost output, one file of each kind: generated sources (a figure only its own page
# shows, a notebook, a thumbnail, a checksum) and the site (a page, a figure, the search
# index, a page's source copy, a download, a doctree, the environment of the next build).
LOST = [
    "docs/auto_examples/curve/images/sphx_glr_fit_curve_001.png",
    "docs/auto_examples/line/fit_line.ipynb",
    "docs/auto_examples/curve/images/thumb/sphx_glr_fit_curve_thumb.png",
    "docs/auto_examples/line/fit_line.py.md5",
    "_build/html/tutorial.html",
    "_build/html/_images/sphx_glr_fit_line_001.png",
    "_build/html/searchindex.js",
    "_build/html/_sources/index.rst.txt",
    "_build/doctrees/auto_examples/line/fit_line.doctree",
]


def test_lost_output_is_rebuilt_exactly_as_a_clean_build_makes_it(fixture_site, built_fixture):
    # Build once where the copy now lies, so that what follows is a plain rebuild.
    assert build_site(built_fixture).returncode == 0
    for name in LOST:
        (built_fixture / name).unlink()
    download = next((built_fixture / "_build" / "html" / "_downloads").rglob("*.ipynb"))
    download.unlink()

    status, log = build_log(built_fixture)
    assert status == 0, log[-4000:]
    # The examples whose own outputs were lost (both, here) are published
    # again from the execution cache, which holds them under their fingerprint.
    assert "published 2 examples from the execution cache" in log and "running" not in log
    assert not fingerprint_differences(site_fingerprint(built_fixture), site_fingerprint(fixture_site.project))


# (signal, the line of the build's output after which it is sent, whether the
# search index was being written at that moment: half of it is left)
INTERRUPTIONS = [
    ("SIGKILL", "running 2 examples, each in a process of its own", False),
    ("SIGINT", "reading sources... [", False),
    ("SIGTERM", "writing output... [", False),
    ("SIGKILL", "writing output... [", True),
]


@pytest.mark.parametrize(("signame", "after", "half_written_index"), INTERRUPTIONS,
                         ids=["examples", "reading", "writing", "search-index"])
def test_an_interrupted_build_is_repaired_by_the_next(fixture_site, built_fixture, signame, after, half_written_index):
    # The fixture site builds in about a second: with SLOW_BUILD set, each page
    # takes a little longer to read and to write, so that the signal lands in
    # the middle of the phase it is meant for (it changes nothing built).
    with open(built_fixture / "conf.py", "a", encoding="utf-8") as conf:
        conf.write(
            "\n\ndef setup(app):\n"
            "    import time\n"
            "    if os.environ.get('SLOW_BUILD'):\n"
            "        app.connect('source-read', lambda *args: time.sleep(0.3))\n"
            "        app.connect('html-page-context', lambda *args: time.sleep(0.3))\n"
        )
    assert build_site(built_fixture).returncode == 0
    rerun(built_fixture, "fit_line")
    rerun(built_fixture, "fit_curve")

    # The same command as build_site, started in a process group of its own
    # (the way a terminal's Ctrl-C reaches the build and every process it
    # started), with Ctrl-C's default meaning: a test run started in the
    # background of a non-interactive shell inherits SIGINT ignored.
    command = [
        *no_network(), sys.executable, "-u", str(ROOT / "tools" / "sphinx_build.py"), "-M", "html",
        str(built_fixture / "docs"), str(built_fixture / "_build"), "-c", str(built_fixture), "-W", "--keep-going",
    ]
    build = subprocess.Popen(command, cwd=built_fixture, env=build_env(SLOW_BUILD="1"), stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, start_new_session=True,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    seen = []
    for line in build.stdout:
        seen.append(line)
        if after in line:
            os.killpg(build.pid, getattr(signal, signame))
            break
    build.stdout.read()
    assert build.wait(timeout=60) != 0, "the build finished before it could be interrupted:\n" + "".join(seen)
    if half_written_index:
        index = built_fixture / "_build" / "html" / "searchindex.js"
        index.write_bytes(index.read_bytes()[: index.stat().st_size // 2])

    status, log = build_log(built_fixture)
    assert status == 0, log[-4000:]
    assert not fingerprint_differences(site_fingerprint(built_fixture), site_fingerprint(fixture_site.project))


# -- Wrong output -----------------------------------------------------------------------------


def test_a_loss_of_nan_fails_the_build_and_a_long_output_is_cut_on_the_tutorial_page(built_fixture):
    script = built_fixture / "examples_line" / "fit_line.py"
    text = script.read_text(encoding="utf-8")
    assert "\nlr = 0.1  # the learning rate\n" in text
    script.write_text(text.replace("\nlr = 0.1  # the learning rate\n", "\nlr = 100.0\n"), encoding="utf-8")
    chatty = built_fixture / "examples_curve" / "fit_curve.py"
    insert_before(chatty, "losses = []", "for i in range(20_000):", "    print('line', i)")

    log = build_fails(built_fixture, script)
    assert re.search(
        r"fit_line\.py printed a number that is not finite \(nan or inf\), in line \d+ of its output:\n"
        r"\s*step \d+  loss (nan|inf)\n", log), log[-4000:]
    assert "# sphinx_gallery_allow_nonfinite = True" in log

    # The long output: cut on the narrative page, less on the example page.
    html = built_fixture / "_build" / "html"
    from bs4 import BeautifulSoup

    tutorial = BeautifulSoup((html / "tutorial.html").read_text(encoding="utf-8"), "html.parser")
    (section,) = [div for div in tutorial.select(".tutorial-example") if "fit_curve.py" in div.get_text()]
    shown = section.select_one(".tutorial-output pre").get_text()
    assert "line 0\n" in shown and "final loss" in shown and len(shown.splitlines()) <= 41
    assert re.search(r"\[\.\.\. 19,9\d\d lines not shown here \.\.\.\]", shown)
    note = section.select_one(".tutorial-output-cut")
    assert "it has 20,00" in note.get_text() and note.find("a")["href"].endswith(
        "fit_curve.html#sphx-glr-auto-examples-curve-fit-curve-py")
    # The example page shows more, within its own limit, and links to the whole of it.
    example_page = html / GALLERY["examples_curve"] / "fit_curve.html"
    shown = example_page.read_text(encoding="utf-8")
    assert "line 749\n[... 19,001 lines not shown here ...]\nline 19751\n" in shown  # 20,001 with the final loss
    whole = re.search(r'href="([^"]+/fit_curve\.output-1\.txt)"', shown)[1]
    assert "line 12345\n" in (example_page.parent / whole).read_text(encoding="utf-8")

    # An example that means to show a diverging loss says so, and passes.
    insert_before(script, "losses = []", "# sphinx_gallery_allow_nonfinite = True")
    status, log = build_log(built_fixture)
    assert status == 0, log[-4000:]


# -- Paths and names -------------------------------------------------------------------------


def test_a_checkout_path_with_spaces_and_non_ascii_characters_builds(built_fixture, tmp_path):
    moved = tmp_path / "my projects" / "Ünïcode tütorial" / "learning pytorch"
    shutil.copytree(built_fixture, moved, symlinks=True)
    shutil.copy2(ROOT / "Makefile", moved)
    shutil.copytree(ROOT / "tools", moved / "tools")
    touch(moved / "examples_line" / "fit_line.py")
    # Through make, with a virtual environment whose path has a space too.
    venv = tmp_path / "virtual env"
    venv.symlink_to(Path(sys.executable).parents[1])
    result = subprocess.run(["make", "html"], cwd=moved, capture_output=True, text=True, timeout=600,
                            env=build_env(VIRTUAL_ENV=str(venv)))
    status, log = result.returncode, result.stdout + result.stderr
    assert status == 0, log[-4000:]
    assert "WARNING" not in log
    assert "running 1 example, each in a process of its own" in log
    page = moved / "_build" / "html" / GALLERY["examples_line"] / "fit_line.html"
    assert "step 100  loss" in page.read_text(encoding="utf-8")


def test_an_example_file_name_with_a_space_stops_the_build_naming_it(built_fixture):
    (built_fixture / "examples_line" / "fit_line.py").rename(built_fixture / "examples_line" / "fit line.py")
    status, log = build_log(built_fixture)
    assert status != 0
    assert ("Example file names must not contain spaces (they become page and image names and would "
            "break links). Rename: examples_line/fit line.py") in log
    assert "Traceback" not in log


# -- Removed examples, missing packages ----------------------------------------------------------


def test_removing_an_example_leaves_nothing_behind(built_fixture):
    # Build once where the copy now lies (a moved project is re-read in full),
    # so that the build after the removal is a truly incremental one; with outputs
    # so long for this build's limit that each is also written whole beside its page.
    with (built_fixture / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write("example_output_characters = 10\n")
    assert build_site(built_fixture).returncode == 0
    assert (built_fixture / "docs" / GALLERY["examples_curve"] / "fit_curve.output-1.txt").is_file()

    (built_fixture / "examples_curve" / "fit_curve.py").unlink()
    tutorial = built_fixture / "docs" / "tutorial.rst"
    text = tutorial.read_text(encoding="utf-8")
    directive = ".. tutorial-example:: ../examples_curve/fit_curve.py\n"
    assert directive in text
    tutorial.write_text(text.replace(directive, ""), encoding="utf-8")

    status, log = build_log(built_fixture)
    assert status == 0, log
    assert "WARNING" not in log

    html = built_fixture / "_build" / "html"
    leftovers = [
        str(path.relative_to(built_fixture))
        for root in (html, built_fixture / "_build" / "doctrees", built_fixture / "docs")
        for path in root.rglob("*fit_curve*")
    ]
    assert not leftovers, leftovers  # page, downloads, images, thumbnail, generated files
    mentions = [str(page.relative_to(html)) for page in html.rglob("*.html")
                if "fit_curve" in page.read_text(encoding="utf-8")]
    assert not mentions, mentions  # gallery thumbnail, sidebars, times pages
    assert not broken_links(html)


@pytest.mark.slow
def test_a_missing_package_stops_the_build_before_any_example_runs(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    copy_project(project)
    # Hide TensorFlow from the build's Python, as if it were not installed.
    hider = tmp_path / "hide_tensorflow"
    hider.mkdir()
    (hider / "sitecustomize.py").write_text(
        "import sys\n"
        "class HideTensorFlow:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'tensorflow':\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, HideTensorFlow())\n",
        encoding="utf-8",
    )

    result = build_site(project, env={"PYTHONPATH": str(hider)})
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert "The examples import modules that this Python cannot find:" in log
    assert "tensorflow, needed by examples_autograd/tf_two_layer_net.py" in log
    assert re.search(r"-m pip install 'tensorflow(-cpu)?==[0-9.]+'", log), log
    assert "-m pip install -r requirements.txt" in log
    assert "Traceback" not in log
    assert not (project / "docs" / "auto_examples").exists(), "examples ran before the check"
