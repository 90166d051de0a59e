"""Unit tests of gallery_runner.staleness: which examples need running, and their expected cost."""

from __future__ import annotations

import json

import pytest

from gallery_runner import staleness as st
from gallery_runner.examples import Example

from .galleries import finished_run, gallery_app


def test_an_example_runs_again_when_its_run_did_not_finish_or_an_output_is_gone(tmp_path):
    app = gallery_app(tmp_path)
    conf = app.config.sphinx_gallery_conf
    (tmp_path / "examples" / "one.py").write_text("print(1)\n")
    task = Example((tmp_path / "examples" / "one.py").resolve(), (tmp_path / "docs" / "generated").resolve())
    assert st.why_run(task, conf) == "its source changed"
    page = ".. image-sg:: /generated/images/sphx_glr_one_001.png\n"
    finished_run(task, {"one.rst": page, "one.ipynb": "{}", "one.py": "print(1)\n",
                        "images/sphx_glr_one_001.png": "png", "images/thumb/sphx_glr_one_thumb.png": "png"})
    assert json.loads(task.manifest.read_text()) == [
        "images/sphx_glr_one_001.png", "images/thumb/sphx_glr_one_thumb.png", "one.ipynb", "one.py", "one.rst",
    ]
    assert st.why_run(task, conf) is None
    assert st.why_run(task, {**conf, "plot_gallery": False}) is None  # not run in this build at all

    (task.gallery_dir / "images" / "sphx_glr_one_001.png").unlink()
    assert st.why_run(task, conf) == "images/sphx_glr_one_001.png is missing"
    task.manifest.unlink()
    assert st.why_run(task, conf) == "its last run did not finish"
    (tmp_path / "examples" / "one.py").write_text("print(2)\n")
    assert st.why_run(task, conf) == "its source changed"


def test_an_example_that_ran_here_unchanged_is_current_and_the_others_say_why(tmp_path):
    app = gallery_app(tmp_path)
    conf = app.config.sphinx_gallery_conf
    examples, generated = tmp_path / "examples", (tmp_path / "docs" / "generated").resolve()
    (examples / "plain.py").write_text("print(1)\n")
    (examples / "unchanged.py").write_text("print(2)\n")
    finished_run(Example(examples.resolve() / "unchanged.py", generated), {"unchanged.rst": "page\n"})
    assert st.why_run(Example(examples.resolve() / "plain.py", generated), conf) == "its source changed"
    assert st.why_run(Example(examples.resolve() / "unchanged.py", generated), conf) is None


def test_the_recorded_cost_of_the_last_run_comes_before_a_guess(tmp_path):
    gallery_app(tmp_path)
    examples, generated = tmp_path / "examples", (tmp_path / "docs" / "generated").resolve()
    for name in ("a.py", "measured.py"):
        (examples / name).write_text("import numpy\n")
    (generated / "measured.cost.json").write_text('{"time": 10.0, "memory": 0.0}')
    measured, guessed = (Example(examples.resolve() / name, generated) for name in ("measured.py", "a.py"))
    assert st.cost_of(measured) == 10.0
    assert st.cost_of(guessed) == st.guess_cost(guessed.source)
    assert st.cost_of(guessed, {"g/a.py": 3.0}, "g/a.py") == 3.0  # the cache's record first


def test_a_guess_grows_with_the_packages_imported_and_the_length(tmp_path):
    def guess(text: str) -> float:
        script = tmp_path / "x.py"
        script.write_text(text)
        return st.guess_cost(script)

    assert guess("print(1)\n") == 1.0
    assert guess("import os, json\nprint(1)\n") == 1.0  # Python's own modules cost nothing extra
    assert guess("import numpy\nimport scipy\n") == 3.0
    assert guess("import numpy\n" + "x = 1\n" * 80) == 2.0 * 81 / 40


def test_a_run_s_outputs_are_every_file_named_after_it_whatever_its_format(tmp_path):
    gallery_app(tmp_path)
    generated = (tmp_path / "docs" / "generated").resolve()
    (tmp_path / "examples" / "plot_a.py").write_text("print(1)\n")
    task = Example((tmp_path / "examples" / "plot_a.py").resolve(), generated)
    names = ["plot_a.rst", "plot_a.ipynb", "plot_a.zip", "plot_a.codeobj.json", "plot_a.py",
             "images/sphx_glr_plot_a_001.svg", "images/sphx_glr_plot_a_001.png", "images/sphx_glr_plot_a_001_2_00x.png",
             "images/sphx_glr_plot_a_002.mp4", "images/sphx_glr_plot_a_002.gif", "images/thumb/sphx_glr_plot_a_thumb.gif",
             "images/thumb/sphx_glr_plot_a_thumb.webp"]
    names += ["images/binder_badge_logo.svg"]  # no example's: written by a run, for every page
    others = ["plot_a_b.rst", "images/sphx_glr_plot_a_b_001.png", "images/thumb/sphx_glr_plot_a_b_thumb.png",
              "plot_a.py.md5"]
    for name in names + others:
        (generated / name).parent.mkdir(parents=True, exist_ok=True)
        (generated / name).write_text("x")
    assert st.example_outputs(task) == sorted(names)


def test_an_expected_failure_is_current_by_its_record_and_reported_again_without_running(tmp_path, monkeypatch):
    from gallery_runner import driver

    app = gallery_app(tmp_path, expected_failing_examples=["../examples/broken.py"])
    conf = app.config.sphinx_gallery_conf
    (tmp_path / "examples" / "broken.py").write_text('"""Broken\n======\n"""\nraise ValueError("no")\n')
    task = Example((tmp_path / "examples" / "broken.py").resolve(), (tmp_path / "docs" / "generated").resolve())
    (task.gallery_dir / "broken.rst").write_text("page with a traceback\n")
    result = ("intro", "Broken", (0.5, 0.0), {"formatted_exception": "ValueError: no"})
    driver.record_expected_failure(task, result)
    assert st.why_run(task, conf) is None  # sphinx-gallery keeps no checksum of a failure; the record does
    monkeypatch.setattr(st.seam, "generate_file_rst", lambda *args: pytest.fail("it ran again"))
    intro, title, cost, out_vars = driver.generate_file_rst("broken.py", task.gallery_dir, task.examples_dir, conf)
    assert (intro, title, cost) == ("intro", "Broken", (0.5, 0.0))
    assert out_vars["formatted_exception"] == "ValueError: no"
    # A build that does not run it (filename_pattern) has sphinx-gallery write its page without output.
    unexecuted = []
    monkeypatch.setattr(st.seam, "generate_file_rst", lambda *args: unexecuted.append(args) or ("i", "t", (0, 0), {}))
    driver.generate_file_rst("broken.py", task.gallery_dir, task.examples_dir, {**conf, "filename_pattern": "none"})
    assert unexecuted and st.why_run(task, conf) == "its source changed"  # so it runs again next time
