"""Unit tests of tutorial_site.directives."""

from __future__ import annotations


import pytest

from tutorial_site import directives as tg


def test_example_cells_drop_the_docstring(tmp_path):
    script = tmp_path / "ex.py"
    script.write_text('"""\nTitle\n=====\n\nIntro.\n"""\n\nimport os\n\n'
                      "# %%\n# A text cell.\n\nx = 1  # why\n")
    assert tg.example_cells(script) == [("code", "import os"), ("text", "A text cell."), ("code", "x = 1  # why")]


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
