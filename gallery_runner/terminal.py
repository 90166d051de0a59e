"""What an example prints, as a terminal would show it: text, never raw control characters.

An example's output reaches the HTML of its page (and of any page that shows
it) as text. Control characters are not text (HTML does not allow them), so
before the page is written (:func:`as_shown`, on the page sphinx-gallery
generated, in the example's own process):

* colour and cursor codes (ANSI escape sequences) are dropped, as a
  terminal drops them once it has applied them;
* every other control character is shown as its visible symbol (BEL as
  ``␇``, backspace as ``␈``, from Unicode's Control Pictures), or, where
  there is none, as its escape (``\\x85``). Tabs and newlines stay.

(A carriage return never gets here: sphinx-gallery splits the captured
output into lines at each one, so a progress bar that redraws its line
shows each state on a line of its own.)
"""

from __future__ import annotations

import re

#: ANSI escape sequences: CSI (colours, cursor moves), OSC (titles, links), and two-character escapes.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]?")
#: Control characters that are not text: C0 but tab and newline, DEL, and C1.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _visible(found: re.Match) -> str:
    code = ord(found[0])
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ .. ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"\\x{code:02x}"


def as_shown(text: str) -> str:
    """``text`` without colour codes, and with every other control character made visible."""
    return _CONTROL.sub(_visible, _ESCAPES.sub("", text.replace("\r\n", "\n")))
