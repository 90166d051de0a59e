"""Unit tests of gallery_runner.printed: a printed output past the limits, cut on the page, whole beside it."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from sphinx.cmd.build import build_main
from sphinx.errors import ConfigError

from gallery_runner import failures, printed, seam
from gallery_runner.examples import Example

SMALL = printed.Limits(lines=8, characters=0)


def block(text: str) -> str:
    """A cell's printed output exactly as sphinx-gallery writes it on the page."""
    return seam.CODE_OUTPUT.format("\n".join("    " + line if line else "" for line in text.split("\n")))


def page_of(*outputs: str) -> str:
    parts = ["Title", "=====", ""]
    for number, text in enumerate(outputs, 1):
        parts += [".. code-block:: Python", "", f"    print({number})", "", block(text), ""]
    return "\n".join(parts + ["The end.", ""])


def example(tmp_path: Path, *outputs: str) -> Example:
    (tmp_path / "examples").mkdir(exist_ok=True)
    (tmp_path / "gen").mkdir(exist_ok=True)
    script = tmp_path / "examples" / "one.py"
    script.write_text('"""One\n===\n"""\nprint(1)\n')
    task = Example(script, tmp_path / "gen")
    task.generated_file(".rst").write_text(page_of(*outputs), encoding="utf-8")
    return task


def numbered(count: int) -> str:
    return "\n".join(f"step {i}" for i in range(1, count + 1))


def test_an_output_within_the_limits_is_not_cut():
    assert printed.cut(numbered(8), SMALL) is None
    assert printed.cut("x" * 100, printed.Limits(lines=0, characters=100)) is None
    assert printed.cut(numbered(10**5), printed.Limits(lines=0, characters=0)) is None  # 0: no limit


@pytest.mark.parametrize("value", [-1, 2.5, "1000", True])
def test_a_limit_that_is_not_a_whole_number_of_0_or_more_stops_the_build_naming_it(value):
    printed.check_limits(None, SimpleNamespace(example_output_lines=0, example_output_characters=100))
    with pytest.raises(ConfigError, match=rf"example_output_characters = {re.escape(repr(value))}: set it to a "
                                          r"whole number, 0 or more \(0: no limit\)"):
        printed.check_limits(None, SimpleNamespace(example_output_lines=0, example_output_characters=value))


def test_past_the_line_limit_three_quarters_are_shown_first_and_one_quarter_last():
    shown = printed.cut(numbered(1000), SMALL)
    assert shown.head == [f"step {i}" for i in range(1, 7)] and shown.tail == ["step 999", "step 1000"]
    assert (shown.lines, shown.left_out) == (1000, 992)
    assert shown.characters == len(numbered(1000))
    default = printed.cut(numbered(200_000), printed.Limits())
    assert (len(default.head), len(default.tail), default.left_out) == (750, 250, 199_000)


def test_past_the_character_limit_lines_are_left_out_or_cut_short():
    limits = printed.Limits(lines=0, characters=400)
    wide = printed.cut("\n".join("x" * 50 for _ in range(100)), limits)
    assert len(wide.head) == 6 and len(wide.tail) == 2  # 300 and 100 characters, newlines counted
    assert wide.head[-1].endswith(printed.CUT_SHORT) and wide.left_out == 92
    assert sum(len(line) for line in wide.head + wide.tail) <= 400 + 2 * len(printed.CUT_SHORT)
    one_line = printed.cut("y" * 10**6, limits)  # one line of a megabyte
    assert one_line.head == ["y" * 300 + printed.CUT_SHORT] and one_line.tail == [] and one_line.left_out == 0


def test_the_page_keeps_the_first_and_last_lines_and_the_whole_output_goes_beside_it(tmp_path):
    long = numbered(1000) + "\n\tindented  "
    task = example(tmp_path, "short", long)
    stale = task.gallery_dir / printed.file_name("one", 5)
    stale.write_text("from an earlier run")
    printed.bound_page(task, SMALL)
    assert not stale.exists()
    whole = task.gallery_dir / "one.output-2.txt"
    assert whole.read_text() == long + "\n"
    rst = task.generated_file(".rst").read_text()
    assert [block.text for block in seam.output_blocks(rst)] == ["short"]  # the first block is sphinx-gallery's, as it was
    assert ".. example-output:: one.output-2.txt\n   :lines: 1001\n" in rst
    assert "   step 6\n   step 1000\n   \tindented\n" in rst and "step 7\n" not in rst
    assert rst.endswith("The end.\n")
    assert printed.outputs(rst, task.gallery_dir) == [
        printed.Printed("short"),
        printed.Printed(long, "one.output-2.txt", tuple(printed.directive_rst("one.output-2.txt",
                                                                             printed.cut(long, SMALL)))),
    ]
    whole.unlink()  # without its file, what the page shows
    assert printed.outputs(rst, task.gallery_dir)[1].text == "\n".join(
        [*(f"step {i}" for i in range(1, 7)), "step 1000", "\tindented"])


def test_a_page_within_the_limits_is_left_as_it_was(tmp_path):
    task = example(tmp_path, "short", numbered(8))
    before = task.generated_file(".rst").read_text()
    printed.bound_page(task, SMALL)
    assert task.generated_file(".rst").read_text() == before
    assert list(task.gallery_dir.glob("*.txt")) == []


def test_a_nan_in_the_lines_left_out_still_fails_the_example(tmp_path):
    task = example(tmp_path, numbered(500) + "\nstep 501  loss nan\n" + numbered(500))
    printed.bound_page(task, SMALL)
    assert "nan" not in task.generated_file(".rst").read_text()
    result = failures.check_finite(task, ("intro", "title", (0.0, 0.0), {"passing": True}))
    assert "in line 501 of its output" in result[3]["formatted_exception"]


def build(tmp_path: Path, rst: str, handler: str = "") -> tuple[int, str, str]:
    """Build one page with the engine's directive (and a site's words, if ``handler``); its HTML and log."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "conf.py").write_text(
        "from gallery_runner import printed\n"
        "def setup(app):\n"
        "    app.add_event(printed.EVENT)\n"
        "    app.add_directive(printed.DIRECTIVE, printed.OutputDirective)\n"
        f"    {handler or 'pass'}\n")
    (tmp_path / "src" / "index.rst").write_text(rst, encoding="utf-8")
    (tmp_path / "src" / "one.output-1.txt").write_text(numbered(1000) + "\n")
    log = tmp_path / "log.txt"
    status = build_main(["-q", "-b", "html", "-w", str(log), str(tmp_path / "src"), str(tmp_path / "html")])
    html = tmp_path / "html" / "index.html"
    return status, html.read_text(encoding="utf-8") if html.exists() else "", log.read_text(encoding="utf-8")


def test_the_directive_shows_the_lines_a_gap_and_a_note_linking_the_whole_output(tmp_path):
    shown = printed.cut(numbered(1000), SMALL)
    status, html, log = build(tmp_path, "Title\n=====\n\n" + "\n".join(printed.directive_rst("one.output-1.txt", shown)))
    assert status == 0, log
    pre = re.search(r'<div class="sphx-glr-script-out highlight-none notranslate"><div class="highlight"><pre>'
                    r'(?:<span></span>)?(.*?)</pre>', html, re.S)
    assert pre[1].split("\n")[5:8] == ["step 6", "[... 992 lines not shown here ...]", "step 999"]
    note = re.search(r'<p class="example-output-cut">(.*?)</p>', html, re.S)[1]
    assert re.sub("<[^>]+>", "", note) == ("The output is cut to fit the page: of its 1,000 lines (8,892 characters), "
                                           "the first 6 and the last 2 are shown. The whole output: one.output-1.txt.")
    href = re.search(r'href="([^"]+one\.output-1\.txt)"', note)[1]
    assert (tmp_path / "html" / href).read_text() == numbered(1000) + "\n"


def test_a_site_gives_the_words_in_its_own_language(tmp_path):
    shown = printed.cut(numbered(1000), SMALL)
    status, html, log = build(
        tmp_path, "Title\n=====\n\n" + "\n".join(printed.directive_rst("one.output-1.txt", shown)),
        handler="app.connect(printed.EVENT, lambda app, form, facts: "
                "{'gap': '[省略 {left_out} 行]', 'note': '完整输出：{link}'}[form].format(**facts))")
    assert status == 0, log
    assert "[省略 992 行]" in html and re.search(r"完整输出：<a [^>]*href=\"[^\"]*one\.output-1\.txt\"", html)


def test_lines_that_do_not_match_the_directives_counts_are_an_error_naming_the_page(tmp_path):
    markup = printed.directive_rst("one.output-1.txt", printed.cut(numbered(1000), SMALL))
    status, _, log = build(tmp_path, "Title\n=====\n\n" + "\n".join(markup[:-1]))  # a line lost
    assert "index.rst" in log and "run the example again (make html)" in log
