"""The hosting configurations: Read the Docs and the GitHub Actions workflow.

Neither can run here (no network, no hosted runner), so they are parsed and
checked against the project: the Python version, the make targets they call,
the folder they publish, the settings conf.py reads.
"""

from __future__ import annotations

import re
import runpy
import shlex

import pytest
import yaml

from helpers import ROOT

PYTHON = (ROOT / ".python-version").read_text().strip()


def makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text()
    return set(re.findall(r"^([a-z][\w-]*):(?!=)", text, re.M))


def make_targets_in(commands: list[str]) -> list[str]:
    """The targets of every ``make`` invocation in shell command lines."""
    targets = []
    for line in (line for command in commands for line in command.splitlines()):
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        words: list[str] = []
        for word in [*lexer, ";"]:
            if word in {"&&", "||", ";", "|", "&"}:  # the end of one simple command
                if words and words[0] == "make":
                    targets += [w for w in words[1:] if not w.startswith("-") and "=" not in w]
                words = []
            else:
                words.append(word)
    return targets


def test_the_python_version_is_the_one_the_project_pins():
    assert PYTHON == "3.11"
    assert "Python 3.11" in (ROOT / "README.md").read_text()


def test_make_targets_are_read_from_the_makefile():
    targets = makefile_targets()
    assert {"html", "test", "livehtml", "inventories"} <= targets
    assert "PORT" not in targets and "VENV" not in targets  # assignments are not targets
    assert make_targets_in(["make inventories || echo no", "cd x && make html EXAMPLE=a -j2"]) == [
        "inventories", "html"]


# -- Read the Docs ----------------------------------------------------------------


@pytest.fixture(scope="module")
def readthedocs():
    return yaml.safe_load((ROOT / ".readthedocs.yaml").read_text())


def test_read_the_docs_builds_with_the_makefile_on_the_pinned_python(readthedocs):
    assert readthedocs["version"] == 2
    build = readthedocs["build"]
    assert build["os"].startswith("ubuntu-")
    assert str(build["tools"]["python"]) == PYTHON
    commands = build["commands"]
    targets = make_targets_in(commands)
    assert targets[-1] == "html", "the site is built last"
    assert "inventories" in targets
    assert set(targets) <= makefile_targets()


def test_read_the_docs_publishes_the_built_html(readthedocs):
    commands = readthedocs["build"]["commands"]
    assert any(re.search(r"\bcp -r _build/html \$READTHEDOCS_OUTPUT/html$", c) for c in commands), commands
    # Its address reaches conf.py through the variable conf.py reads.
    assert "READTHEDOCS_CANONICAL_URL" in (ROOT / "docs" / "conf.py").read_text()


# -- GitHub Actions -------------------------------------------------------------------


@pytest.fixture(scope="module")
def workflow():
    return yaml.safe_load((ROOT / ".github" / "workflows" / "site.yml").read_text())


def steps_running(job: dict) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def test_workflow_runs_on_pushes_to_main_and_pull_requests(workflow):
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["push"]["branches"] == ["main"]
    assert "pull_request" in triggers


def test_every_job_sets_up_the_pinned_python(workflow):
    for name, job in workflow["jobs"].items():
        if name == "deploy":
            continue  # only pushes files
        setup = [s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python@")]
        assert setup and setup[0]["with"]["python-version-file"] == ".python-version", name


def test_workflow_tests_builds_and_keeps_the_html(workflow):
    jobs = workflow["jobs"]
    assert make_targets_in(steps_running(jobs["test"])) == ["test"]
    assert make_targets_in(steps_running(jobs["build"])) == ["inventories", "html"]
    for job in jobs.values():
        assert set(make_targets_in(steps_running(job))) <= makefile_targets()
    uploads = [s for s in jobs["build"]["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert uploads[0]["with"]["path"].rstrip("/") == "_build/html"
    # the build is the published one: an address and a repository for conf.py
    assert {"SITE_URL", "REPOSITORY_URL"} <= set(jobs["build"]["env"])


def test_workflow_publishes_from_main_to_the_branch_conf_py_links_colab_to(workflow):
    deploy = workflow["jobs"]["deploy"]
    assert set(deploy["needs"]) == {"test", "build"}
    assert "refs/heads/main" in deploy["if"] and "push" in deploy["if"]
    assert deploy["permissions"]["contents"] == "write"
    conf = runpy.run_path(str(ROOT / "docs" / "conf.py"))
    push = [s for s in deploy["steps"] if "git push" in s.get("run", "")]
    assert push[0]["env"]["BRANCH"] == conf["deployed_branch"]
    # GitHub Pages runs Jekyll unless told not to, and Jekyll drops _static/ and _downloads/.
    assert "touch .nojekyll" in push[0]["run"]


def test_the_readme_documents_every_make_target():
    readme = (ROOT / "README.md").read_text()
    internal = {"venv", "chromium", "axe-core"}  # prerequisites of other targets
    undocumented = [t for t in sorted(makefile_targets() - internal) if f"make {t}" not in readme]
    assert not undocumented, undocumented
