"""Unit tests of tutorial_site.directives."""

from __future__ import annotations

import zipfile
from types import SimpleNamespace

import pytest
from sphinx.errors import ConfigError

from tutorial_site import directives as tg
from tutorial_site import seam
from tutorial_site.examples import ExampleOrder


def test_example_code_drops_the_docstring_and_text_cells(tmp_path):
    script = tmp_path / "ex.py"
    script.write_text('"""\nTitle\n=====\n\nIntro.\n"""\n\nimport os\n\n'
                      "# %%\n# A text cell.\n\nx = 1  # why\n")
    assert tg.example_code(script) == "import os\n\nx = 1  # why"


def test_the_narrative_page_folds_device_choice_and_plotting_and_nothing_else():
    device = 'device = (\n    torch.device("cuda") if ok else torch.device("cpu")\n)\nprint(f"Running on: {device}")'
    plotting = 'fig, ax = plt.subplots()\nax.semilogy(losses)\nax.set_title("t")\nplt.show()'
    assert tg.boilerplate(device) == "How the device is chosen"
    assert tg.boilerplate(plotting) == "How the figure is drawn"
    assert tg.boilerplate(device + "\nx = torch.randn(3)") is None  # data is part of the lesson
    assert tg.boilerplate(plotting + "\nprint(losses[-1])") is None
    assert tg.boilerplate("for step in range(3):\n    loss = step") is None
    assert tg.boilerplate("not python (") is None


def test_a_text_cells_titles_become_rubrics_on_the_narrative_page():
    text = "Training\n--------\nEach step runs the network.\n\nMore\n~~~~\nText."
    assert tg.text_for_the_page(text) == (
        ".. rubric:: Training\n\nEach step runs the network.\n\n.. rubric:: More\n\nText."
    )


def test_a_long_output_is_cut_to_its_first_and_last_lines():
    short = "\n".join(f"line {i}" for i in range(tg.OUTPUT_LINES))
    assert tg.shorten_output(short) == (short, 0)
    long = "\n".join(f"line {i}" for i in range(200_000))
    shown, left_out = tg.shorten_output(long)
    lines = shown.splitlines()
    assert left_out == 200_000 - tg.OUTPUT_HEAD - tg.OUTPUT_TAIL
    assert lines[: tg.OUTPUT_HEAD] == [f"line {i}" for i in range(tg.OUTPUT_HEAD)]
    assert lines[tg.OUTPUT_HEAD] == f"[... {left_out:,} lines not shown here ...]"
    assert lines[-1] == "line 199999" and len(lines) == tg.OUTPUT_HEAD + 1 + tg.OUTPUT_TAIL
    wide, _ = tg.shorten_output("x" * 10_000)
    assert len(wide) < tg.OUTPUT_WIDTH + 10 and wide.endswith("[...]")


def test_archive_is_reproducible_and_not_rewritten_when_unchanged(tmp_path):
    examples = tmp_path / "examples_a"
    examples.mkdir()
    (examples / "one.py").write_text("print(1)\n")
    gallery = tmp_path / "docs" / "auto_examples" / "a"
    gallery.mkdir(parents=True)
    (gallery / "one.ipynb").write_text("{}")
    (tmp_path / "needs.txt").write_text("numpy\n")
    app = SimpleNamespace(
        srcdir=tmp_path / "docs", confdir=tmp_path / "docs",
        config=SimpleNamespace(sphinx_gallery_conf=seam.filled_conf({
            "examples_dirs": ["../examples_a"],
            "gallery_dirs": ["auto_examples/a"],
            "within_subsection_order": ExampleOrder(("one.py",)),
            "ignore_pattern": r"__init__\.py",
        }), visitor_requirements="../needs.txt"),
    )
    with pytest.raises(ConfigError, match="visitor_requirements .*names ../missing.txt, which does not exist"):
        tg.check_visitor_requirements(app, SimpleNamespace(visitor_requirements="../missing.txt"))
    tg.write_examples_archive(app)
    archive = tmp_path / "docs" / tg.examples.ARCHIVE
    first, mtime = archive.read_bytes(), archive.stat().st_mtime_ns
    with zipfile.ZipFile(archive) as zf:
        assert zf.namelist() == ["needs.txt", "examples_a/one.py", "examples_a/one.ipynb"]
    tg.write_examples_archive(app)
    assert archive.read_bytes() == first
    assert archive.stat().st_mtime_ns == mtime
    (examples / "one.py").write_text("print(2)\n")
    tg.write_examples_archive(app)
    assert archive.read_bytes() != first
