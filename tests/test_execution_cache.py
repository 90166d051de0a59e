"""Execute once, anywhere: outputs keyed by everything that makes them, shared between machines.

On the fixture site (two numpy examples): shards in separate copies of the
project fill one cache, and a build from that cache alone runs nothing and is
the clean build; a changed package, example, setting or scraper re-runs
exactly what it must and says why; a damaged entry is found; an entry made
under another Python is not used; two builds filling one cache at once leave
only valid entries. On the real site: a cache-only build of both languages
from the session build's cache is that build.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import (LANGUAGES, ROOT, build_env, build_site, copy_fixture_site, copy_project, execution_cache,
                     fingerprint_differences, no_network, site_fingerprint)
import gallery_runner
from gallery_runner import cache, fingerprint, uses
from gallery_runner.imports import imported_modules

EXAMPLES = {"auto_examples/line/fit_line.py", "auto_examples/curve/fit_curve.py"}


def fill_cache(project: Path, shard: str, env: dict | None = None, plan: Path | None = None,
               execute: str = "auto") -> subprocess.CompletedProcess:
    """``make examples SHARD=shard [PLAN=plan]`` in ``project``: its share, into its cache; nothing built.

    With ``execute="plan:N"``, ``make plan SHARDS=N`` instead (into ``_build/plan``).
    """
    outdir = project / "_build" / ("plan" if execute.startswith("plan:") else "examples")
    command = [*no_network(), sys.executable,
               str(ROOT / "tools" / "sphinx_build.py"), "-b", "dummy", str(project / "docs"),
               str(outdir), "-d", str(project / "_build" / "doctrees-examples"), "-c", str(project),
               "-D", f"example_shard={shard}", "-D", f"execute={execute}"]
    if plan is not None:
        command += ["-D", f"example_plan={plan}"]
    return subprocess.run(command, capture_output=True, text=True, env=build_env(**(env or {})), cwd=project,
                          timeout=600)


def log_of(result: subprocess.CompletedProcess) -> str:
    return result.stdout + result.stderr


def entry_of(folder: Path, example: str) -> Path:
    (found,) = [entry.folder for entry in cache.entries(folder) if entry.meta["example"] == example]
    return found


def test_three_shards_on_three_machines_then_a_cache_only_build_is_the_clean_build(fixture_site, tmp_path):
    gathered = tmp_path / "gathered cache"
    planner = copy_fixture_site(tmp_path / "planner")
    result = fill_cache(planner, "", execute="plan:3")
    assert result.returncode == 0, log_of(result)[-3000:]
    plan = json.loads((planner / "_build" / "plan" / "plan.json").read_text())
    assert sorted(plan["missing"]) == sorted(EXAMPLES) and len(plan["shards"]) == 3
    assert len((planner / "_build" / "plan" / "fingerprints.txt").read_text().splitlines()) == 2
    ran = []
    for i in (1, 2, 3):
        machine = copy_fixture_site(tmp_path / f"machine {i}" / ("deeper/" * i) / "checkout")
        result = fill_cache(machine, f"{i}/3", plan=planner / "_build" / "plan" / "plan.json")
        log = log_of(result)
        assert result.returncode == 0, log[-4000:]
        assert f"shard {i}/3:" in log
        assert sorted(entry.meta["example"] for entry in cache.entries(machine / "_build" / "execution-cache")) \
            == sorted(plan["shards"][i - 1]["examples"])  # its share of the plan, nothing else
        assert not (machine / "_build" / "html").exists()  # a shard builds no page
        entries = cache.entries(machine / "_build" / "execution-cache")
        ran += [entry.meta["example"] for entry in entries]
        # Each entry says where and when its example ran.
        assert all(entry.meta["ran_on"]["cpu"] and entry.meta["ran_on"]["date"] for entry in entries)
        if entries:
            shutil.copytree(machine / "_build" / "execution-cache", gathered, dirs_exist_ok=True)
    assert sorted(ran) == sorted(EXAMPLES)  # every example in exactly one shard

    publisher = copy_fixture_site(tmp_path / "publisher")
    result = build_site(publisher, env={"EXECUTE": "never", "EXECUTION_CACHE": str(gathered)})
    log = log_of(result)
    assert result.returncode == 0, log[-4000:]
    assert "published 2 examples from the execution cache" in log
    assert "running" not in log
    assert not fingerprint_differences(site_fingerprint(publisher), site_fingerprint(fixture_site.project))


def test_nothing_in_the_cache_and_execute_never_fails_naming_every_example(tmp_path):
    project = copy_fixture_site(tmp_path / "project")
    result = build_site(project, env={"EXECUTE": "never"})
    log = log_of(result)
    assert result.returncode != 0
    assert "EXECUTE=never: 2 examples would have to run" in log
    assert "examples_line/fit_line.py: no entry for its fingerprint" in log
    assert "examples_curve/fit_curve.py: no entry for its fingerprint" in log
    assert "Exception occurred" not in log and not (project / "_build" / "html" / "index.html").exists()


def fake_distribution(folder: Path, version: str) -> Path:
    """A folder that makes an installed distribution ``fakepkg`` appear, at ``version``, with its module."""
    shutil.rmtree(folder, ignore_errors=True)
    info = folder / f"fakepkg-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: fakepkg\nVersion: {version}\n")
    (info / "top_level.txt").write_text("fakepkg\n")
    (folder / "fakepkg").mkdir()
    (folder / "fakepkg" / "__init__.py").write_text(f"VERSION = {version!r}\n")
    return folder


def rebuild(project: Path, env: dict | None = None) -> str:
    result = build_site(project, "-v", env=env)
    log = log_of(result)
    assert result.returncode == 0, log[-4000:]
    return log


def test_what_changed_reruns_exactly_what_it_must_and_the_build_says_why(built_fixture, tmp_path):
    extra = tmp_path / "extra"
    env = {"PYTHONPATH": str(fake_distribution(extra, "1.0"))}
    # A package that no example imports, installed and then upgraded: nothing runs.
    assert "running" not in rebuild(built_fixture, env)
    fake_distribution(extra, "2.0")
    assert "running" not in rebuild(built_fixture, env)

    with (built_fixture / "examples_line" / "fit_line.py").open("a", encoding="utf-8") as f:
        f.write("\nimport fakepkg  # noqa: E402\n")
    log = rebuild(built_fixture, env)
    assert "running 1 example," in log and "fit_line.py runs: its source changed" in log
    assert "fit_curve.py runs" not in log
    record = json.loads((built_fixture / "docs" / "auto_examples" / "line" / ".example_runs" / "fit_line.ran.json")
                        .read_text(encoding="utf-8"))
    assert record["uses"]["fakepkg"] == "2.0" and ["fakepkg", "2.0"] in record["imports"]
    # Now an example imports it: its upgrade runs that example, and only that one.
    fake_distribution(extra, "3.0")
    log = rebuild(built_fixture, env)
    assert "running 1 example," in log and "fit_line.py runs: fakepkg 2.0 -> 3.0" in log
    assert "running" not in rebuild(built_fixture, env)  # nothing changed, nothing runs

    conf = built_fixture / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8")
                    + '\nsphinx_gallery_conf["first_notebook_cell"] = "# first cell"\n', encoding="utf-8")
    log = rebuild(built_fixture, env)
    assert "running 2 examples" in log
    assert "fit_line.py runs: the setting sphinx_gallery_conf['first_notebook_cell'] changed" in log

    scraper = extra / "fixture_scraper.py"
    scraper.write_text("from tutorial_site.figures import scraper  # noqa: F401\n", encoding="utf-8")
    conf.write_text(conf.read_text(encoding="utf-8")
                    + '\nsphinx_gallery_conf["image_scrapers"] = ["fixture_scraper.scraper"]\n', encoding="utf-8")
    log = rebuild(built_fixture, env)
    assert "running 2 examples" in log
    scraper.write_text(scraper.read_text(encoding="utf-8") + "# the scraper changed\n", encoding="utf-8")
    log = rebuild(built_fixture, env)
    assert "running 2 examples" in log and "fit_line.py runs: the module fixture_scraper changed" in log


def test_a_damaged_entry_is_named_without_running_and_run_again_with_running(fixture_site, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOKEN-that-must-never-be-published\n", encoding="utf-8")
    for damage in ("truncated figure", "edited page", "link to a secret"):
        folder = tmp_path / damage / "cache"
        shutil.copytree(fixture_site.project / "_build" / "execution-cache", folder)
        entry = entry_of(folder, "auto_examples/line/fit_line.py")
        if damage == "truncated figure":
            figure = entry / "files" / "images" / "sphx_glr_fit_line_001.png"
            figure.write_bytes(figure.read_bytes()[:100])
            reason = "images/sphx_glr_fit_line_001.png does not match its checksum"
        elif damage == "link to a secret":  # a crafted entry: the page a link to a file of this machine
            page = entry / "files" / "fit_line.rst"
            page.unlink()
            page.symlink_to(secret)
            meta = json.loads((entry / "entry.json").read_text(encoding="utf-8"))
            meta["files"]["fit_line.rst"] = hashlib.sha256(secret.read_bytes()).hexdigest()
            (entry / "entry.json").write_text(json.dumps(meta), encoding="utf-8")
            reason = "fit_line.rst is a symbolic link"
        else:
            page = entry / "files" / "fit_line.rst"
            page.write_text(page.read_text(encoding="utf-8").replace("loss", "LOSS"), encoding="utf-8")
            reason = "fit_line.rst does not match its checksum"
        project = copy_fixture_site(tmp_path / damage / "project")
        result = build_site(project, env={"EXECUTE": "never", "EXECUTION_CACHE": str(folder)})
        log = log_of(result)
        assert result.returncode != 0
        assert f"examples_line/fit_line.py: its entry was damaged: {reason}" in log, log[-3000:]
        assert "fit_curve.py:" not in log.split("EXECUTE=never", 1)[1]  # its entry was sound

        result = build_site(project, env={"EXECUTION_CACHE": str(folder)})
        log = log_of(result)
        assert result.returncode == 0, log[-4000:]
        # fit_curve.py was published from its sound entry by the failed build; fit_line.py runs.
        assert "running 1 example," in log
        assert not fingerprint_differences(site_fingerprint(project), site_fingerprint(fixture_site.project))
        assert not [path for path in (project / "_build").rglob("*") if path.is_file()
                    and b"TOKEN-that-must-never-be-published" in path.read_bytes()]


def test_an_entry_made_under_another_python_is_not_used(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "sitecustomize.py").write_text(
        "import platform\nplatform.python_version = lambda: '3.99.0'\n", encoding="utf-8")
    folder = tmp_path / "cache"
    other = copy_fixture_site(tmp_path / "other machine")
    result = fill_cache(other, "1/1", env={"PYTHONPATH": str(elsewhere), "EXECUTION_CACHE": str(folder)})
    assert result.returncode == 0, log_of(result)[-3000:]
    assert {entry.meta["fingerprint"]["python"] for entry in cache.entries(folder)} == {"CPython 3.99.0"}

    here = copy_fixture_site(tmp_path / "here")
    log = log_of(build_site(here, env={"EXECUTE": "never", "EXECUTION_CACHE": str(folder)}))
    assert "EXECUTE=never: 2 examples would have to run" in log


def test_two_builds_filling_one_cache_at_once_leave_only_valid_entries(tmp_path):
    folder = tmp_path / "shared cache"
    projects = [copy_fixture_site(tmp_path / name) for name in ("one", "two")]
    env = build_env(EXECUTION_CACHE=str(folder))
    builds = [subprocess.Popen([*no_network(), sys.executable, str(ROOT / "tools" / "sphinx_build.py"),
                                "-M", "html", str(p / "docs"), str(p / "_build"), "-c", str(p), "-W", "--keep-going"],
                               cwd=p, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
              for p in projects]
    for build in builds:
        out, _ = build.communicate(timeout=600)
        assert build.returncode == 0, out[-3000:]
    names = sorted(p.name for p in folder.iterdir())
    assert not [name for name in names if name.startswith(".")]  # no half-written entry left
    entries = cache.entries(folder)
    assert sorted(entry.meta["example"] for entry in entries) == sorted(EXAMPLES)
    for entry in entries:
        key = entry.folder.name.rsplit("-", 1)[0]  # <fingerprint>-<what it used>
        assert cache.lookup(folder, key, entry.meta["fingerprint"]).folder == entry.folder


STARTED: dict = {}


def publish_from_cache(site, folder: Path) -> tuple[Path, subprocess.CompletedProcess]:
    """A fresh copy of the project built in every language from ``site``'s execution cache alone."""
    project = copy_project(folder)
    return project, build_site(project, env={"EXECUTE": "never", "EXECUTION_CACHE": str(execution_cache(site))},
                               languages=LANGUAGES)


def start_in_idle_time(items, idle) -> None:
    """The real site's cache-only build (every language) starts once the site is built (conftest)."""
    if idle.site is not None and any(item.originalname == "test_the_real_site_built_from_its_cache_alone_is_"
                                     "the_same_site_in_every_language" for item in items):
        STARTED["publisher"] = idle.pool.submit(publish_from_cache, idle.site, idle.mktemp("publisher"), urgency=2)


@pytest.mark.idle_time
def test_the_real_site_built_from_its_cache_alone_is_the_same_site_in_every_language(site, tmp_path):
    started = STARTED.pop("publisher", None)
    project, result = started.result() if started else publish_from_cache(site, tmp_path)
    log = log_of(result)
    assert result.returncode == 0, log[-4000:]
    assert "published 11 examples from the execution cache" in log and "running" not in log
    assert not fingerprint_differences(site_fingerprint(project), site_fingerprint(site.project))
    # Each page says where its example ran: the machine the session build ran it on, from the cache.
    records = sorted((project / "docs" / "auto_examples").glob("*/.example_runs/*.ran.json"))
    assert len(records) == 11
    for record in records:
        original = site.project / record.relative_to(project)
        assert record.read_bytes() == original.read_bytes()


# -- What re-runs on the real site, from the records of the session build -----------------


def made_under(site) -> dict[str, dict]:
    """{example file: what its outputs were made under} for the real site's 11 examples."""
    records = sorted((site.project / "docs" / "auto_examples").glob("*/.example_runs/*.fingerprint.json"))
    assert len(records) == 11
    return {path.name.removesuffix(".fingerprint.json") + ".py": json.loads(path.read_text(encoding="utf-8"))
            for path in records}


def rerun(records: dict[str, dict], monkeypatch, installed: dict[str, str], parts_now=lambda parts: parts) -> set[str]:
    """The examples that would run again with these distributions installed (and these fingerprints)."""
    monkeypatch.setattr(uses, "installed", lambda: installed)
    return {name for name, made in records.items() if fingerprint.out_of_date(made, parts_now(made["parts"]))}


def importing(site, module: str) -> set[str]:
    return {path.name for path in (site.project).glob("examples_*/*.py") if module in imported_modules(path)}


def test_a_library_change_reruns_exactly_the_examples_that_import_it(site, monkeypatch):
    records = made_under(site)
    now = uses.installed()
    assert rerun(records, monkeypatch, now) == set()  # as built: every output current
    # A package no example imports, added, and another upgraded: 0 of 11 run again.
    assert not any("pytest" in made["uses"] for made in records.values())
    assert rerun(records, monkeypatch, {**now, "zz-fake-tool": "1.0", "pytest": "99.0"}) == set()
    for module, expected in [("tensorflow", 2), ("torch", 9)]:
        distribution = uses.distribution_of(module)
        changed = rerun(records, monkeypatch, {**now, distribution: now[distribution] + ".post1"})
        assert changed == importing(site, module) and len(changed) == expected, module


def test_an_edited_log_message_of_the_engine_reruns_nothing(site, tmp_path):
    copy = tmp_path / "engine"
    shutil.copytree(Path(gallery_runner.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    driver = copy / "driver.py"
    text = driver.read_text(encoding="utf-8")
    assert '"ran %d example%s in %.1f s"' in text
    driver.write_text(text.replace('"ran %d example%s in %.1f s"', '"all %d example%s ran in %.1f s"'), encoding="utf-8")
    edited = fingerprint.code_hashes({}, copy)
    for name, made in made_under(site).items():
        engine_code = {key: value for key, value in made["parts"]["code"].items() if key in edited}
        assert engine_code == edited, name


def test_the_speed_example_alone_runs_again_on_another_machine(site, monkeypatch):
    records = made_under(site)
    assert {name for name, made in records.items() if "machine" in made["parts"]} == {"accelerator_speedup.py"}
    elsewhere = {"cpu": "Intel(R) Xeon(R) Platinum 8480+", "cores": 16, "accelerators": ["NVIDIA H100 80GB HBM3"]}
    changed = rerun(records, monkeypatch, uses.installed(),
                    lambda parts: {**parts, "machine": elsewhere} if "machine" in parts else parts)
    assert changed == {"accelerator_speedup.py"}
