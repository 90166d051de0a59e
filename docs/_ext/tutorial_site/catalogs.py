"""The translation catalogs checked before a translation build reads them.

A catalog with a broken line is otherwise read anyway, and the build fails
later, somewhere else ("Inline interpreted text ... without end-string" in a
generated page), never naming the catalog. So before the build's catalogs
are compiled (:func:`.translations.load_own_messages`), each is read line by
line as ``msgfmt --check`` would, then message by message:

* every line is empty, a comment, or a keyword (``msgid``, ``msgstr``...)
  or continuation followed by one quoted string, closed and with known
  escapes;
* no message is fuzzy (a fuzzy translation is not used: the page would show
  English);
* a translation keeps its English's inline literals, links and
  ``{placeholders}`` as they are, and as many roles (``:term:``, ``:ref:``...).

Each problem is one ``ERROR:`` line naming the catalog, its line and what to
do; then the build stops.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging
from sphinx.util.i18n import CatalogRepository

from .translations import is_translation

logger = logging.getLogger(__name__)

_QUOTED = r'"(?:[^"\\]|\\[\\"ntr])*"'
_LINE = re.compile(rf'^(?:|#.*|(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+{_QUOTED}|{_QUOTED})\s*$')
_LITERAL = re.compile(r"``[^`]+``")
_ROLE = re.compile(r":[a-z]+:`")
_LINK = re.compile(r"<(https?://[^>]+)>`_")
_PLACEHOLDER = re.compile(r"\{\w+\}")


def syntax_problems(text: str) -> list[tuple[int, str]]:
    """(line, what is wrong) for each line of a catalog's ``text`` that is not .po syntax."""
    problems = []
    for number, line in enumerate(text.splitlines(), 1):
        if not _LINE.match(line):
            stripped = line.strip()
            if stripped.count('"') % 2 or not stripped.endswith('"'):
                what = "a string that is not closed: end it with a double quote"
            else:
                what = 'not .po syntax (a keyword and a quoted string, "...", a comment or an empty line)'
            problems.append((number, what))
    return problems


def message_problems(english: str, translated: str) -> list[str]:
    """What a translation changed of its English's markup, in words ([] if nothing)."""
    said = []
    for name, pattern in (("inline literals", _LITERAL), ("links", _LINK), ("placeholders", _PLACEHOLDER)):
        ours, theirs = sorted(pattern.findall(english)), sorted(pattern.findall(translated))
        if ours != theirs:
            lost = sorted(set(ours) - set(theirs)) or sorted(set(theirs) - set(ours)) or ours
            said.append(f"its {name} differ from the English ({', '.join(lost)[:80]})")
    if len(_ROLE.findall(english)) != len(_ROLE.findall(translated)):
        said.append(f"it has {len(_ROLE.findall(translated))} roles (:term:, :ref: ...) where the English has "
                    f"{len(_ROLE.findall(english))}")
    return said


def catalog_problems(path: Path) -> list[tuple[int, str]]:
    """(line, what is wrong and what to do) for the catalog at ``path``."""
    text = path.read_text(encoding="utf-8")
    problems = syntax_problems(text)
    if problems:
        return problems  # its messages cannot be trusted to be what the file says
    with path.open("rb") as po:
        for message in read_po(po):
            if not message.id:
                continue
            if message.fuzzy:
                problems.append((message.lineno, "a fuzzy translation, which is not used: check it against its "
                                                  "English and remove the line '#, fuzzy'"))
            elif message.string:
                problems += [(message.lineno, f"{what}: keep them as the English has them")
                             for what in message_problems(str(message.id), str(message.string))]
    return problems


def check_catalogs(app: Sphinx, config: Config) -> None:
    """Stop a translation build, naming each line, if one of its catalogs is broken (config-inited)."""
    if not is_translation(config):
        return
    repo = CatalogRepository(app.srcdir, config.locale_dirs, config.language, config.source_encoding)
    found = 0
    for info in repo.catalogs:
        path = Path(info.po_path).resolve()
        shown = path.relative_to(Path.cwd()) if Path.cwd() in path.parents else path
        for line, what in catalog_problems(path):
            logger.error("%s:%d: %s", shown, line, what)
            found += 1
    if found:
        raise SystemExit(2)  # before anything is read: each line above says where and what to do
