"""gallery_runner.terminal: printed output as a terminal shows it, without raw control characters."""

from __future__ import annotations

import pytest

from gallery_runner.terminal import as_shown


@pytest.mark.parametrize(("printed", "shown"), [
    ("bell\x07", "bell\u2407"),
    ("back\x08space", "back\u2408space"),
    ("nul\x00 esc-less \x1b", "nul\u2400 esc-less "),
    ("\x1b[1;31mred\x1b[0m and \x1b[2Kcleared", "red and cleared"),
    ("\x1b]0;window title\x07after", "after"),
    ("del\x7f c1\x85", "del\u2421 c1\\x85"),
    ("tab\tand\nnewline", "tab\tand\nnewline"),
    ("crlf\r\nline", "crlf\nline"),
    ("plain text, unicode: café 学习率", "plain text, unicode: café 学习率"),
])
def test_control_characters_are_shown_and_colour_codes_dropped(printed, shown):
    assert as_shown(printed) == shown


def test_nothing_that_html_forbids_is_left():
    every = "".join(chr(code) for code in range(0x00, 0xA0))
    left = {hex(ord(c)) for c in as_shown(every) if (ord(c) < 0x20 and c not in "\t\n") or 0x7F <= ord(c) < 0xA0}
    assert not left
