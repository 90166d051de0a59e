"""Unit tests of gallery_runner.health."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from gallery_runner import health


def app_for(tmp_path, statuscode=0, failing=None, expected=()):
    return SimpleNamespace(
        doctreedir=tmp_path / "doctrees", outdir=tmp_path / "html", statuscode=statuscode,
        builder=SimpleNamespace(name="html", format="other"),
        config=SimpleNamespace(sphinx_gallery_conf={"failing_examples": failing or {}, "src_dir": str(tmp_path),
                                                    "expected_failing_examples": expected, "filename_pattern": "x"},
                               suppress_warnings=[]),
    )


def test_a_problem_is_an_exit_status_or_a_failed_example():
    assert not health.problems_seen(app_for(Path(".")))
    assert health.problems_seen(app_for(Path("."), statuscode=1))
    assert health.problems_seen(app_for(Path("."), failing={str(Path("x.py").resolve()): "boom"}))
    # An expected failure is not a problem; an expected failure that passed is.
    assert not health.problems_seen(app_for(Path("."), failing={str(Path("x.py").resolve()): "boom"},
                                            expected=["x.py"]))
    assert health.problems_seen(app_for(Path("."), expected=["x.py"]))


def test_a_warning_is_a_problem_only_where_warnings_fail_the_build():
    app = app_for(Path("."))
    app.gallery_runner_health = SimpleNamespace(counter=SimpleNamespace(count=2))
    assert not health.problems_seen(app)
    app._fail_on_warnings = True  # sphinx-build -W
    assert health.problems_seen(app)


def test_the_note_says_unfinished_until_the_build_ends_and_then_how(tmp_path):
    app = app_for(tmp_path)
    note = tmp_path / "doctrees" / "last-build-html.json"
    build = health.BuildHealth(app)
    build.start(app)
    assert json.loads(note.read_text()) == {"state": "unfinished"}
    build.finish(app, None)
    assert json.loads(note.read_text()) == {"state": "clean", "extension": health.extension_code()}

    again = health.BuildHealth(app)
    again.start(app)
    assert again.previous["state"] == "clean"
    again.finish(app, RuntimeError("interrupted"))
    assert json.loads(note.read_text())["state"] == "problems"


def test_after_a_build_with_problems_every_page_is_read_again(tmp_path):
    app = app_for(tmp_path)
    build = health.BuildHealth(app)
    build.previous = {"state": "problems"}
    env = SimpleNamespace(all_docs={"index": 1, "tutorial": 1}, found_docs={"index", "tutorial"})
    assert build.outdated(app, env, set(), set(), set()) == ["index", "tutorial"]
    build.previous = {"state": "unfinished"}
    assert build.outdated(app, env, set(), set(), set()) == ["index", "tutorial"]
    fresh = SimpleNamespace(all_docs={}, found_docs={"index"})
    assert build.outdated(app, fresh, set(), set(), set()) == []  # read in full anyway


def test_after_a_change_to_the_extension_every_page_is_read_again(tmp_path, monkeypatch):
    app = app_for(tmp_path)
    build = health.BuildHealth(app)
    env = SimpleNamespace(all_docs={"index": 1, "tutorial": 1}, found_docs={"index", "tutorial"})
    monkeypatch.setattr(health, "missing_outputs", lambda app, env: [])
    build.previous = {"state": "clean", "extension": health.extension_code()}
    assert build.outdated(app, env, set(), set(), set()) == []
    build.previous = {"state": "clean", "extension": "another"}
    assert build.outdated(app, env, set(), set(), set()) == ["index", "tutorial"]
