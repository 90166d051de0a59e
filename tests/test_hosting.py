"""The hosting configurations: Read the Docs and the GitHub Actions workflow.

Neither can run here (no network, no hosted runner), so they are parsed and
checked against the project: the Python version, the make targets they call,
the folder they publish, the settings conf.py reads.
"""

from __future__ import annotations

import re
import runpy
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

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
    assert "READTHEDOCS_CANONICAL_URL" in (ROOT / "conf.py").read_text()


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


def test_every_job_that_builds_sets_up_the_pinned_python(workflow):
    for name, job in workflow["jobs"].items():
        if name in ("deploy", "notebooks"):
            continue  # they only publish what the site job built
        setup = [s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python@")]
        assert setup and setup[0]["with"]["python-version-file"] == ".python-version", name


def uses(job: dict, action: str) -> list[dict]:
    return [step for step in job["steps"] if step.get("uses", "").startswith(action + "@")]


def test_the_workflow_executes_on_shards_and_publishes_from_the_cache_alone(workflow):
    jobs = workflow["jobs"]
    assert make_targets_in(steps_running(jobs["plan"])) == ["plan", "plan"]
    assert make_targets_in(steps_running(jobs["shard"])) == ["examples"]
    assert make_targets_in(steps_running(jobs["site"])) == ["inventories", "html", "prune-cache"]
    assert make_targets_in(steps_running(jobs["test"])) == ["test"]
    for job in jobs.values():
        assert set(make_targets_in(steps_running(job))) <= makefile_targets()
    # One shard job per share, each running its own share.
    shards = jobs["shard"]["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, int(workflow["env"]["SHARDS"]) + 1))
    (run,) = steps_running(jobs["shard"])
    assert 'SHARD="$SHARD" PLAN=_build/plan/plan.json' in run and [s for s in jobs["shard"]["steps"] if "run" in s][0]["env"]["SHARD"] == \
        "${{ matrix.shard }}/${{ env.SHARDS }}"
    # The cache is keyed by the examples' fingerprints, restored and saved by actions/cache.
    assert "_build/plan/fingerprints.txt" in steps_running(jobs["plan"])[0]
    for name in ("plan", "shard", "site"):
        assert all(step["with"]["path"] == "_build/execution-cache" for step in uses(jobs[name], "actions/cache/restore"))
        assert uses(jobs[name], "actions/cache/restore"), name
    assert uses(jobs["shard"], "actions/cache/save") and uses(jobs["site"], "actions/cache/save")
    # Every shard takes its share of the plan the plan job wrote.
    assert uses(jobs["plan"], "actions/upload-artifact")[0]["with"]["path"] == "_build/plan/plan.json"
    assert uses(jobs["shard"], "actions/download-artifact")[0]["with"] == {"name": "execution-plan",
                                                                          "path": "_build/plan"}
    # The site gathers the shards' entries and builds both languages, running nothing.
    (gather,) = uses(jobs["site"], "actions/download-artifact")
    assert gather["with"] == {"pattern": "execution-shard-*", "path": "_build/execution-cache", "merge-multiple": True}
    assert any(re.search(r"^make html EXECUTE=never$", run) for run in steps_running(jobs["site"]))
    assert "LANGUAGES" not in str(jobs["site"])  # every language (Makefile: LANGUAGES)
    assert {"SITE_URL", "REPOSITORY_URL"} <= set(jobs["site"]["env"])  # the published build
    # The tests reuse those results for the session's site build.
    test_env = [s for s in jobs["test"]["steps"] if "run" in s][0]["env"]
    assert test_env["EXECUTION_CACHE"] == "_build/execution-cache"
    assert uses(jobs["test"], "actions/download-artifact")[0]["with"]["name"] == "execution-cache"


def test_the_site_is_deployed_with_the_pages_actions_from_main_only(workflow):
    jobs = workflow["jobs"]
    (upload,) = uses(jobs["site"], "actions/upload-pages-artifact")
    assert upload["with"]["path"].rstrip("/") == "_build/html"
    deploy = jobs["deploy"]
    assert set(deploy["needs"]) == {"site", "test"}
    assert "refs/heads/main" in deploy["if"] and "push" in deploy["if"] and "needs.test.result == 'success'" in deploy["if"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert uses(deploy, "actions/deploy-pages")


def test_least_privilege_every_action_pinned_no_credentials_left_behind(workflow):
    assert workflow["permissions"] == {}
    for name, job in workflow["jobs"].items():
        allowed = {"deploy": {"pages": "write", "id-token": "write"}, "notebooks": {"contents": "write"}}
        assert job["permissions"] == allowed.get(name, {"contents": "read"}), name
        for step in uses(job, "actions/checkout"):
            assert step["with"]["persist-credentials"] is False, name
    text = (ROOT / ".github" / "workflows" / "site.yml").read_text()
    pins = re.findall(r"uses: ([\w./-]+)@(\S+)(.*)", text)
    assert len(pins) >= 10
    for action, ref, comment in pins:
        assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{action}@{ref} is not pinned to a commit"
        assert re.fullmatch(r"\s+# v\d+\.\d+\.\d+", comment), f"{action}@{ref} has no version comment"
    # One commit per action and version, wherever it is used.
    versions: dict[str, set] = {}
    for action, ref, comment in pins:
        versions.setdefault(action.split("/")[0] + "/" + action.split("/")[1], set()).add((ref, comment.strip()))
    assert all(len(v) == 1 for v in versions.values()), versions


def test_the_notebooks_reach_the_branch_conf_py_links_colab_to(workflow):
    job = workflow["jobs"]["notebooks"]
    assert "refs/heads/main" in job["if"] and "push" in job["if"]
    conf = runpy.run_path(str(ROOT / "conf.py"))
    (push,) = [s for s in job["steps"] if "git push" in s.get("run", "")]
    assert push["env"]["BRANCH"] == conf["deployed_branch"]
    assert "touch .nojekyll" in push["run"]  # GitHub serves that branch as it is


def test_zizmor_finds_nothing_in_the_workflow():
    zizmor = shutil.which("zizmor", path=str(Path(sys.executable).parent))
    if zizmor is None:
        pytest.skip("zizmor is not installed in this environment (requirements.txt installs it)")
    result = subprocess.run([zizmor, "--offline", "--no-progress", str(ROOT / ".github" / "workflows" / "site.yml")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr


def actionlint(workflow: Path) -> subprocess.CompletedProcess:
    binary = shutil.which("actionlint", path=str(Path(sys.executable).parent))
    if binary is None:
        pytest.skip("actionlint is not installed in this environment (requirements.txt installs it on Linux x86_64)")
    return subprocess.run([binary, "-no-color", str(workflow)], capture_output=True, text=True, timeout=120)


def test_actionlint_finds_nothing_in_the_workflow():
    result = actionlint(ROOT / ".github" / "workflows" / "site.yml")
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_actionlint_would_name_a_mistake_in_the_workflow(tmp_path):
    """The check can fail: a misspelt key is named."""
    workflow = tmp_path / ".github" / "workflows" / "site.yml"
    workflow.parent.mkdir(parents=True)
    text = (ROOT / ".github" / "workflows" / "site.yml").read_text(encoding="utf-8")
    workflow.write_text(text.replace("runs-on:", "run-on:", 1), encoding="utf-8")
    result = actionlint(workflow)
    assert result.returncode != 0 and "run-on" in result.stdout, result.stdout + result.stderr


#: The README, and the guides it links to for the rest: working on the site, hosting and CI, speed.
GUIDES = ["README.md", "CONTRIBUTING.md", "HOSTING.md", "benchmarks/README.md"]


def test_the_readme_documents_every_make_target():
    readme = (ROOT / "README.md").read_text()
    internal = {"venv", "chromium", "axe-core"}  # prerequisites of other targets
    undocumented = [t for t in sorted(makefile_targets() - internal) if f"make {t}" not in readme]
    assert not undocumented, undocumented


def test_the_readme_is_short_and_links_every_guide():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 150, "the README is the two commands and where to look: move the rest to a guide"
    for guide in GUIDES[1:]:
        assert (ROOT / guide).is_file() and f"]({guide})" in readme, guide
    assert "make html" in readme and "make test" in readme and "Python 3.11" in readme


def test_every_make_command_the_guides_show_is_a_target():
    sphinx_builders = {"linkcheck", "dirhtml"}  # the Makefile's catch-all runs any Sphinx builder
    for guide in GUIDES:
        shown = set(re.findall(r"`make ([a-z][a-z-]*)", (ROOT / guide).read_text(encoding="utf-8")))
        assert shown, guide
        assert shown <= makefile_targets() | sphinx_builders, (guide, sorted(shown - makefile_targets()))
