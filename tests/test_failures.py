"""Failures are loud, precise and leave nothing stale.

Each test breaks a private copy of the built project (``built_project``) and
rebuilds it exactly as ``make html`` does; only the example a test touched is
run again. The messages asserted here are the ones a user sees.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import GALLERY, broken_links, build_site, copy_project

pytestmark = pytest.mark.slow


def insert_before(script: Path, anchor: str, *lines: str) -> int:
    """Insert ``lines`` before the line ``anchor``; return the first one's number."""
    text = script.read_text(encoding="utf-8").splitlines(keepends=True)
    index = text.index(anchor + "\n")
    text[index:index] = [line + "\n" for line in lines]
    script.write_text("".join(text), encoding="utf-8")
    return index + 1


def build_fails(project: Path, script: Path, env: dict | None = None, strict: bool = True) -> str:
    """Build ``project``; the build must fail because of ``script``. Returns its log."""
    result = build_site(project, env=env, timeout=300, strict=strict)
    log = result.stdout + result.stderr
    assert result.returncode != 0
    example = script.relative_to(project).as_posix()
    assert f"ERROR: 1 example failed, so the build fails: ../{example}" in log
    assert "Extension error" not in log and "sphinx-err-" not in log  # no crash report
    return log


def test_an_example_that_raises_fails_the_build_naming_file_line_and_exception(built_project):
    script = built_project / "examples_nn" / "two_layer_net_optim.py"
    original = script.read_text(encoding="utf-8")
    line = insert_before(script, "losses = []", 'raise RuntimeError("broken on purpose")')
    # A second example to run, so that both run in worker processes first.
    with (built_project / "examples_nn" / "two_layer_net_nn.py").open("a", encoding="utf-8") as f:
        f.write("\n# changed\n")

    log = build_fails(built_project, script)
    assert "running 2 examples in 2 worker processes" in log or (os.cpu_count() or 1) < 2
    assert f'{script}", line {line}, in <module>' in log
    assert "RuntimeError: broken on purpose" in log
    assert log.count("RuntimeError: broken on purpose") == 2  # its warning and the summary

    # Fixed, the example runs again and its page shows no trace of the failure.
    script.write_text(original, encoding="utf-8")
    result = build_site(built_project)
    assert result.returncode == 0, result.stdout + result.stderr
    page = built_project / "_build/html" / GALLERY["examples_nn"] / "two_layer_net_optim.html"
    html = page.read_text(encoding="utf-8")
    assert "step 500  loss" in html and "broken on purpose" not in html


def test_an_example_with_a_syntax_error_fails_the_build_naming_file_and_line(built_project):
    script = built_project / "examples_nn" / "two_layer_net_module.py"
    with script.open("a", encoding="utf-8") as f:
        f.write('print("never closed"\n')
    line = len(script.read_text(encoding="utf-8").splitlines())

    # Without -W too: a failed example is an error, not a warning.
    log = build_fails(built_project, script, strict=False)
    assert f'{script}", line {line}' in log
    assert "SyntaxError: " in log


def test_an_example_that_runs_too_long_is_stopped_and_fails_the_build(built_project):
    script = built_project / "examples_nn" / "dynamic_net.py"
    insert_before(script, "losses = []", "import time", "time.sleep(600)")

    log = build_fails(built_project, script, env={"EXAMPLE_TIME_LIMIT": "3"})
    # The line it was stopped on: the sleep, unless importing torch took all of
    # the 3 s (the timer never interrupts an import), then the line after it.
    assert re.search(rf'File "{re.escape(str(script))}", line \d+, in <module>', log)
    assert "ExampleTimeout: dynamic_net.py was stopped after 3 s, the time limit per example" in log


def test_removing_an_example_leaves_nothing_behind(built_project):
    # Build once where the copy now lies (a moved project is re-read in full),
    # so that the build after the removal is a truly incremental one.
    assert build_site(built_project).returncode == 0

    (built_project / "examples_nn" / "dynamic_net.py").unlink()
    tutorial = built_project / "docs" / "tutorial.rst"
    text = tutorial.read_text(encoding="utf-8")
    directive = ".. tutorial-example:: ../examples_nn/dynamic_net.py\n"
    assert directive in text
    tutorial.write_text(text.replace(directive, ""), encoding="utf-8")

    result = build_site(built_project)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    assert "WARNING" not in log

    html = built_project / "_build" / "html"
    leftovers = [
        str(path.relative_to(built_project))
        for root in (html, built_project / "_build" / "doctrees", built_project / "docs")
        for path in root.rglob("*dynamic_net*")
    ]
    assert not leftovers, leftovers  # page, downloads, images, thumbnail, generated files
    # The comparison example names every example file in its code, so its page
    # does too; any other mention is a leftover.
    naming_it = {"auto_examples/comparison/all_nine_methods.html"}
    assert "examples_nn/dynamic_net.py" in (built_project / "examples_comparison" / "all_nine_methods.py").read_text()
    mentions = [
        str(page.relative_to(html))
        for page in html.rglob("*.html")
        if "dynamic_net" in page.read_text(encoding="utf-8") and str(page.relative_to(html)) not in naming_it
    ]
    assert not mentions, mentions  # gallery thumbnail, sidebars, times pages
    assert not broken_links(html)


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
