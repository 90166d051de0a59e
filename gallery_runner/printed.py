"""Printed output past a limit: its first and last lines on the page, all of it in a text file beside the page.

An example that prints a line per training step can print hundreds of
thousands of lines, and sphinx-gallery puts every one on the page: 200,000
lines make a page of several megabytes, which the reader's browser, the
search index and the published site all pay for. So in the example's own
process, once its page is written (:func:`bound_page`), every block of
printed output longer than conf.py's ``example_output_lines`` lines or
``example_output_characters`` characters (0: no limit of that kind) is
written whole beside the page, as ``<stem>.output-<n>.txt`` (``n``: the
block's number on the page, from 1), and on the page it becomes

.. code-block:: rst

   .. example-output:: <stem>.output-<n>.txt
      :lines: <lines in all>
      :characters: <characters in all>
      :head: <lines shown first>
      :tail: <lines shown last>

      <the first lines>
      <the last lines>

with the first three quarters of each limit at the head and the last quarter
at the tail; a line that does not fit in the characters left is cut short,
ending in ``[...]``. The directive (:class:`OutputDirective`) shows them as
sphinx-gallery shows an output, with a line in the gap saying how many were
left out, and under them a note with a link to the whole output.

Pages that show an example's output elsewhere read the whole of each block
with :func:`outputs`.

The words are English; a site in another language connects to the event
``example-output-text`` ``(app, form, facts)`` and returns its own for
``form`` ``"gap"`` (the line in the gap), ``"note"`` (with ``{link}`` where
the link goes) or ``"note-cut-short"`` (the note when no line is left out,
only cut short), from the :func:`facts` of the cut.
"""

from __future__ import annotations

import glob
import re
from dataclasses import dataclass
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.errors import ConfigError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from . import seam
from .examples import Example
from .provenance import LINK, sentence_with_download  # {link}: where a sentence's link goes, as there

logger = logging.getLogger(__name__)

DIRECTIVE = "example-output"
EVENT = "example-output-text"
#: The class of the note under a cut output.
CLASS = "example-output-cut"
#: How a line cut short ends.
CUT_SHORT = " [...]"


@dataclass(frozen=True)
class Limits:
    """How much of one block of printed output a page shows (conf.py; 0: no limit of that kind)."""

    lines: int = 1000
    characters: int = 100_000


def check_limits(app, config) -> None:
    """Stop the build if conf.py's limits are not whole numbers of 0 or more."""
    for name in ("example_output_lines", "example_output_characters"):
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"{name} = {value!r}: set it to a whole number, 0 or more (0: no limit)")


@dataclass(frozen=True)
class Cut:
    """What a page shows of a block that is over the limits: its first and last lines, and how long it is."""

    head: list[str]
    tail: list[str]
    lines: int
    characters: int

    @property
    def left_out(self) -> int:
        return self.lines - len(self.head) - len(self.tail)


def as_shown(text: str) -> list[str]:
    """``text``'s lines as a page shows them: without trailing spaces, and without blank lines at either end."""
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def cut(text: str, limits: Limits) -> Cut | None:
    """What a page shows of ``text`` within ``limits``, or None when all of it fits."""
    lines = as_shown(text)
    characters = sum(map(len, lines)) + max(0, len(lines) - 1)
    over_lines = limits.lines > 0 and len(lines) > limits.lines
    over_characters = limits.characters > 0 and characters > limits.characters
    if not (over_lines or over_characters):
        return None
    unlimited = len(lines) + characters + 1
    most_lines = limits.lines or unlimited
    most_characters = limits.characters or unlimited
    head = _first(lines, most_lines - most_lines // 4, most_characters - most_characters // 4)
    tail = _first(lines[:len(head) - 1:-1] if head else lines[::-1], most_lines // 4, most_characters // 4)[::-1]
    return Cut(head, tail, len(lines), characters)


def _first(lines: list[str], count: int, characters: int) -> list[str]:
    """The first of ``lines``, at most ``count`` of them and ``characters`` in all; the last one may be cut short."""
    taken = []
    for line in lines[:count]:
        if len(line) > characters:
            if characters > 0:
                taken.append(line[:characters] + CUT_SHORT)
            break
        taken.append(line)
        characters -= len(line) + 1
    return taken


def file_name(stem: str, number: int) -> str:
    """The name of the text file that holds the whole of the ``number``-th output of example ``stem``."""
    return f"{stem}.output-{number}.txt"


def files_of(gallery_dir: Path, stem: str) -> list[Path]:
    """The whole-output files of example ``stem`` in its gallery folder."""
    pattern = re.compile(rf"^{re.escape(stem)}\.output-\d+\.txt$")
    return [path for path in gallery_dir.glob(f"{glob.escape(stem)}.output-*.txt") if pattern.match(path.name)]


def bound_page(example: Example, limits: Limits) -> None:
    """Cut every block of printed output of the example's generated page that is over ``limits``.

    The whole block goes to a text file beside the page; the page keeps its
    first and last lines in an ``example-output`` directive. The files of an
    earlier run go first.
    """
    for old in files_of(example.gallery_dir, example.stem):
        old.unlink()
    page = example.generated_file(".rst")
    if not page.is_file():
        return
    rst = page.read_text(encoding="utf-8")
    lines = rst.splitlines()
    changed = False
    for number, block in reversed(list(enumerate(seam.output_blocks(rst), 1))):
        shown = cut(block.text, limits)
        if shown is None:
            continue
        name = file_name(example.stem, number)
        (example.gallery_dir / name).write_text(block.text + "\n", encoding="utf-8")
        lines[block.start:block.end] = directive_rst(name, shown)
        changed = True
    if changed:
        page.write_text("\n".join(lines) + "\n", encoding="utf-8")


def directive_rst(name: str, shown: Cut) -> list[str]:
    """The reST lines that show ``shown`` of the output written whole to the file ``name``."""
    return [
        f".. {DIRECTIVE}:: {name}",
        f"   :lines: {shown.lines}",
        f"   :characters: {shown.characters}",
        f"   :head: {len(shown.head)}",
        f"   :tail: {len(shown.tail)}",
        "",
        *(f"   {line}" if line else "" for line in shown.head + shown.tail),
    ]


# -- Reading a page's outputs ---------------------------------------------------------------

@dataclass(frozen=True)
class Printed:
    """One block of an example's printed output: all of it, and, if the page shows only part, its file and markup."""

    text: str
    file: str | None = None
    rst: tuple[str, ...] = ()


_CUT_BLOCK = re.compile(rf"^\.\. {re.escape(DIRECTIVE)}:: (\S+)\n(?:   :.*\n)*\n(?:(?:   .*)?\n)*", re.MULTILINE)


def outputs(rst: str, folder: Path) -> list[Printed]:
    """Every block an example printed, whole, in page order, from its generated page in ``folder``.

    A block the page shows in part (:func:`bound_page`) is read from its text
    file; one whose file is missing is what the page shows.
    """
    found: list[tuple[int, Printed]] = []
    starts = [0]
    for line in rst.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    for block in seam.output_blocks(rst):
        found.append((starts[block.start], Printed(block.text)))
    for match in _CUT_BLOCK.finditer(rst if rst.endswith("\n") else rst + "\n"):
        markup = tuple(match[0].rstrip("\n").split("\n"))
        try:
            text = (folder / match[1]).read_text(encoding="utf-8").rstrip("\n")
        except OSError:
            text = "\n".join(line[3:] for line in markup[markup.index("") + 1:])
        found.append((match.start(), Printed(text, match[1], markup)))
    return [printed for _, printed in sorted(found, key=lambda item: item[0])]


# -- The words -------------------------------------------------------------------------------


def facts(shown: dict, name: str = "") -> dict:
    """What the words of a cut say, as text: lines, characters, head, tail, left_out, file; and link.

    ``shown``: the counts of a cut (the directive's options lines, characters, head, tail).
    """
    numbers = {key: int(shown[key]) for key in ("lines", "characters", "head", "tail")}
    numbers["left_out"] = numbers["lines"] - numbers["head"] - numbers["tail"]
    return {**{key: f"{value:,}" for key, value in numbers.items()}, "file": name, "link": LINK}


def english(form: str, found: dict) -> str:
    if form == "gap":
        return f"[... {found['left_out']} lines not shown here ...]"
    if form == "note-cut-short":
        return f"Lines too long for the page end in [...] here. The whole output: {LINK}."
    return (f"The output is cut to fit the page: of its {found['lines']} lines ({found['characters']} characters), "
            f"the first {found['head']} and the last {found['tail']} are shown. The whole output: {LINK}.")


def words(events, form: str, found: dict) -> str:
    """The text of ``form``: the site's (event ``example-output-text``), or English.

    ``events``: the Sphinx application, or its environment's ``events``, which emit the event.
    """
    said = events.emit_firstresult(EVENT, form, found)
    return said if isinstance(said, str) else english(form, found)


# -- On the page ------------------------------------------------------------------------------


class OutputDirective(SphinxDirective):
    """``.. example-output:: <file>``: the first and last lines of a printed output, and a link to all of it."""

    required_arguments = 1
    has_content = True
    option_spec = {name: directives.nonnegative_int for name in ("lines", "characters", "head", "tail")}

    def run(self) -> list[nodes.Node]:
        missing = [name for name in self.option_spec if name not in self.options]
        lines = list(self.content)
        if missing or len(lines) != self.options["head"] + self.options["tail"]:
            raise self.error(f"{DIRECTIVE}: this page was not written by a run of its example "
                             "(its lines do not match :head: and :tail:); run the example again (make html)")
        found = facts(self.options, self.arguments[0])
        head, tail = lines[:self.options["head"]], lines[self.options["head"]:]
        gap = [words(self.env.events, "gap", found)] if self.options["lines"] > len(lines) else []
        text = "\n".join(head + gap + tail)
        shown = nodes.literal_block(text, text, language="none", classes=[seam.OUTPUT_CLASS])  # as sphinx-gallery's own
        self.set_source_info(shown)
        note = words(self.env.events, "note" if gap else "note-cut-short", found)
        return [shown, sentence_with_download(self, note, nodes.literal("", self.arguments[0]), CLASS)]
