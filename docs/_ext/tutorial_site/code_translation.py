"""The examples' code in the page's language: comments, docstrings, text cells, and the downloads made of them.

A translated page shows the same program as the English one; only what is
written for the reader changes: the code's comments and docstrings, and the
text cells between the code. Every token the interpreter reads stays as it is
(``tests/test_translations.py`` tokenizes both), so a translated download
prints what the English one prints. Nothing runs again: the output, figures and
times are the English build's.

Two catalogs hold the words:

* ``examples.po`` (this module's domain, :data:`DOMAIN`): each comment of the
  code (a run of full-line comments is one message, its lines joined), each
  docstring, and each piece of text drawn on a figure (titles, axis and line
  labels: they are written in English on the image, the figure's alt text says
  them in the page's language). ``make translations`` extracts them
  (:func:`extract`, into the gettext builder's catalogs).
* ``site.po``, the pages' catalog: a text cell of a download is the same reST as
  the example's page, translated paragraph by paragraph with the page's own
  translations.

In a translation build:

* :func:`write_translated_downloads` (builder-inited, after the galleries) writes
  each example's translated script, its notebook (sphinx-gallery's, from that
  script) and every zip of the galleries again with the translated files, into a
  folder named after the language beside the English ones (``auto_examples/nn/zh_CN/``);
  a file is only rewritten when its bytes change.
* :class:`TranslateCode` gives the pages' Python code blocks their translated
  comments and docstrings, and points every download link at the translated copy.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

from gallery_runner import examples, seam

from .archive import ARCHIVE
from .translations import catalog, is_translation, pages_catalog

logger = logging.getLogger(__name__)

#: The catalog of the examples' comments, docstrings and figure texts.
DOMAIN = "examples"
#: The width a translated comment is wrapped to, in columns (a CJK character takes two).
WIDTH = 79

# -- Reading an example ----------------------------------------------------------------

#: Comments that are instructions, not prose: cell markers, sphinx-gallery settings, linters, encodings.
_NOT_PROSE = re.compile(rf"^#\s*(?:%%|{seam.FILE_SETTING}|noqa|type:|fmt:|pragma|-\*-|!)|^#{{2,}}")


def text_cells(lines: list[str]) -> list[tuple[int, int]]:
    """The text cells after ``# %%`` markers: (first, end) line indices, ``end`` exclusive."""
    cells, index = [], 0
    while index < len(lines):
        if seam.CELL_START.match(lines[index]):
            end = index + 1
            while end < len(lines) and (lines[end].startswith("# ") or lines[end].rstrip() == "#"):
                end += 1
            if end > index + 1:
                cells.append((index + 1, end))
            index = end
        else:
            index += 1
    return cells


def _docstring_strings(source: str) -> tuple[ast.Constant | None, list[ast.Constant]]:
    """The module's docstring (the title text cell) and those of its functions and classes."""
    tree = ast.parse(source)
    module = None
    if tree.body and isinstance(tree.body[0], ast.Expr) and isinstance(tree.body[0].value, ast.Constant) \
            and isinstance(tree.body[0].value.value, str):
        module = tree.body[0].value
    inner = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                    and isinstance(first.value.value, str):
                inner.append(first.value)
    return module, inner


@dataclass
class Comment:
    """One message of the code: a run of full-line comments, a trailing comment, or a docstring."""

    kind: str  # "comment", "trailing" or "docstring"
    first: int  # its first and last line, 0-based
    last: int
    column: int
    text: str  # the message: the lines of a run joined by spaces, a docstring's words


def code_comments(source: str, skip: set[int] = frozenset()) -> list[Comment]:
    """The code's prose: comments (a run of full-line ones at one column is one) and docstrings.

    ``skip`` holds 0-based line indices that are not code (text cells). Line numbers in the result are 0-based.
    """
    found: list[Comment] = []
    lines = source.splitlines()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type != tokenize.COMMENT:
            continue
        row, column = token.start[0] - 1, token.start[1]
        if row in skip or _NOT_PROSE.match(token.string):
            continue
        text = token.string[1:].strip()
        full_line = not lines[row][:column].strip()
        if not full_line:
            found.append(Comment("trailing", row, row, column, text))
            continue
        previous = found[-1] if found else None
        if previous and previous.kind == "comment" and previous.last == row - 1 and previous.column == column \
                and text:
            previous.last, previous.text = row, (previous.text + " " + text).strip()
        elif text:
            found.append(Comment("comment", row, row, column, text))
    _, docstrings = _docstring_strings(source)
    for constant in docstrings:
        found.append(Comment("docstring", constant.lineno - 1, constant.end_lineno - 1, constant.col_offset,
                             " ".join(constant.value.split())))
    return sorted(found, key=lambda comment: comment.first)


def module_docstring(source: str) -> ast.Constant | None:
    return _docstring_strings(source)[0]


# -- Writing translated text --------------------------------------------------------------


def width(text: str) -> int:
    """Columns ``text`` takes in a monospaced font: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


#: Characters that may not start a line (Chinese line-breaking rules), and the wide characters a line may break after.
_NO_LINE_START = "，。、：；！？）」』》"
_WIDE = "\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
#: What a line is made of: spaces, a wide character with the punctuation that must stay with it, a word.
_UNITS = re.compile(rf"\s+|[{_WIDE}][{_NO_LINE_START}]*|[^\s{_WIDE}]+")


def wrap(text: str, columns: int) -> list[str]:
    """``text`` in lines of at most ``columns`` columns, broken between words or between CJK characters."""
    lines, line = [], ""
    for unit in _UNITS.findall(text):
        if unit.isspace():
            unit = " "
        if line and width(line + unit.rstrip()) > columns:
            lines.append(line.rstrip())
            line = "" if unit == " " else unit
        else:
            line = line + unit if line or unit != " " else line
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def _heading(lines: list[str]) -> bool:
    return len(lines) == 2 and bool(re.fullmatch(r"([=\-~^\"'`#*+])\1+", lines[1].strip())) and bool(lines[0].strip())


def translate_rst(rst: str, translate) -> str:
    """A text cell's reST with each title, paragraph and list item replaced by ``translate(message)``.

    Messages are what Sphinx extracts from the page (lines joined by spaces);
    a translated paragraph is one line (a line break inside Chinese would show
    as a space). Directives, literal blocks and anything indented stay as they are.
    """
    out: list[str] = []
    group: list[str] = []
    literal = False

    def flush() -> None:
        nonlocal literal
        if not group:
            return
        if len(group) > 2 and _heading(group[:2]) and not literal:  # a title with its paragraph right under it
            rest = group[2:]
            group[:] = group[:2]
            flush()
            group[:] = rest
        if group[0].startswith((" ", "\t")) or group[0].startswith(".. ") or literal:
            out.extend(group)
            literal = literal and group[0].startswith((" ", "\t"))
        elif _heading(group):
            title = translate(group[0].strip())
            out.extend([title, group[1].strip()[0] * max(width(title), 1)])
        elif re.match(r"[*\-+] ", group[0]):
            items: list[list[str]] = []
            for line in group:
                if re.match(r"[*\-+] ", line):
                    items.append([line])
                else:
                    items[-1].append(line)
            for item in items:
                marker = item[0][:2]
                message = " ".join([item[0][2:].strip(), *(line.strip() for line in item[1:])]).strip()
                out.append(marker + translate(message))
        else:
            message = " ".join(line.strip() for line in group)
            translation = translate(message)
            out.append(translation)
            literal = message.endswith("::")
        group.clear()

    for line in rst.split("\n"):
        if line.strip():
            if group and group[0].startswith((" ", "\t")) != line.startswith((" ", "\t")) \
                    and not re.match(r"[*\-+] ", group[0]):
                flush()
            group.append(line)
        else:
            flush()
            out.append(line)
    flush()
    return "\n".join(out)


def translate_source(source: str, code: "Words", text: "Words | None" = None) -> str:
    """An example's source with its prose translated: code comments and docstrings by ``code``.

    With ``text``, the source is a whole example: its title docstring and text
    cells are translated by ``text`` too; without, it is one code cell. Every
    other character stays where it was, so the program is the same.
    """
    lines = source.split("\n")
    edits: list[tuple[int, int, list[str]]] = []  # (first line, end line exclusive, new lines)
    cells = text_cells(lines) if text is not None else []
    skip = {row for first, end in cells for row in range(first, end)}
    for first, end in cells:
        rst = "\n".join(line[2:] if line.startswith("# ") else "" for line in lines[first:end])
        edits.append((first, end, [("# " + line).rstrip() for line in translate_rst(rst, text).split("\n")]))
    docstring = module_docstring(source) if text is not None else None
    if docstring is not None:
        first, last = docstring.lineno - 1, docstring.end_lineno - 1
        prefix, quote = _opening(lines[first], docstring.col_offset)
        body = _in_quotes(translate_rst(docstring.value, text), prefix)
        rest = lines[last][_closing(lines[last]):]
        edits.append((first, last + 1, (prefix + quote + body + quote + rest).split("\n")))
    for comment in code_comments(source, skip):
        indent = lines[comment.first][: comment.column]
        translation = code(comment.text)
        if comment.kind == "trailing":
            edits.append((comment.first, comment.first + 1, [indent + "# " + translation]))
        elif comment.kind == "comment":
            wrapped = wrap(translation, max(WIDTH - width(indent) - 2, 20))
            edits.append((comment.first, comment.last + 1, [indent + "# " + line for line in wrapped]))
        else:
            prefix, quote = _opening(lines[comment.first], comment.column)
            rest = lines[comment.last][_closing(lines[comment.last]):]
            body = _in_quotes(translation, prefix)
            edits.append((comment.first, comment.last + 1, [indent + prefix + quote + body + quote + rest]))
    for first, end, new in sorted(edits, key=lambda edit: edit[0], reverse=True):
        lines[first:end] = new
    return "\n".join(lines)


def _opening(line: str, column: int) -> tuple[str, str]:
    """The prefix (``r``, ``u`` or none) and the quotes that open the string literal at ``column``."""
    found = re.match(r"""([rRuU]?)("{3}|'{3}|"|')""", line[column:])
    return found[1], found[2]


def _in_quotes(text: str, prefix: str) -> str:
    """``text`` as the body of a string literal with ``prefix``: a backslash (reST's ``\\ ``) written twice
    unless the literal is raw, so that the string's value is ``text`` and Python warns of no escape."""
    return text if prefix in ("r", "R") else text.replace("\\", "\\\\")


def translate_cell(cell: str, code: "Words") -> str:
    """A notebook code cell's comments translated; its IPython magics (``%matplotlib inline``) stay as they are."""
    parts = re.split(r"(^%.*$)", cell, flags=re.M)  # the magics are the odd parts
    return "".join(part if index % 2 else translate_source(part, code) for index, part in enumerate(parts))


def cell_comments(cell: str) -> list[Comment]:
    """The comments of a notebook code cell that may hold IPython magics."""
    return [comment for index, part in enumerate(re.split(r"(^%.*$)", cell, flags=re.M)) if not index % 2
            for comment in code_comments(part)]


#: The notebook cells sphinx-gallery adds to every notebook (conf.py), whose comments are translated too.
NOTEBOOK_CELLS = ("first_notebook_cell", "last_notebook_cell")


def _closing(line: str) -> int:
    """Where the text after a docstring's closing quotes starts on its last line."""
    for quote in ('"""', "'''"):
        at = line.rfind(quote)
        if at != -1:
            return at + 3
    return len(line)


# -- Catalogs --------------------------------------------------------------------------------


class Words:
    """Translations from one catalog, noting each message that has none (it is kept in English)."""

    def __init__(self, catalog, context: str = "") -> None:
        self.catalog, self.context, self.missing = catalog, context, []

    def __call__(self, message: str) -> str:
        if not message:
            return message
        if not _has(self.catalog, f"{self.context}\x04{message}" if self.context else message):
            self.missing.append(message)
        return self.catalog.pgettext(self.context, message) if self.context else self.catalog.gettext(message)


def _has(translator, message: str) -> bool:
    """Whether a catalog (or one it falls back on) translates ``message``, even as itself ("numpy")."""
    while translator is not None:
        if message in getattr(translator, "_catalog", {}):
            return True
        translator = getattr(translator, "_fallback", None)
    return False


def warn_missing(app: Sphinx, what: str, words: Words, catalog_name: str, location=None) -> None:
    if words.missing:
        logger.warning("%d message(s) of %s have no %s translation, the first: %r. Run `make translations` and "
                       "translate them in %s", len(words.missing), what, app.config.language, words.missing[0][:120],
                       f"{app.config.locale_dirs[0]}/{app.config.language}/LC_MESSAGES/{catalog_name}",
                       type="i18n", subtype="untranslated", location=location)
        words.missing.clear()


# -- The translated downloads ------------------------------------------------------------------


def translated_copy(path: Path, language: str) -> Path:
    """Where the translation of a generated file lives: beside it, in a folder named after the language."""
    return path.parent / language / path.name


def _write_if_changed(path: Path, data: bytes) -> bytes:
    """Write ``data`` to ``path`` unless it is there already (an unchanged file keeps its time); return it."""
    if not (path.is_file() and path.read_bytes() == data):
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_name(path.name + ".new")
        scratch.write_bytes(data)
        scratch.replace(path)
    return data


def write_translated_downloads(app: Sphinx) -> None:
    """Each example's script, notebook and zips again in the build's language (only what changed is written)."""
    if not is_translation(app.config) or app.builder.name == "gettext":
        return
    language = app.config.language
    code = Words(catalog(app, DOMAIN))
    text = Words(pages_catalog(app, app.config.root_doc))
    conf = dict(app.config.sphinx_gallery_conf)
    for key in NOTEBOOK_CELLS:
        if conf.get(key):
            conf[key] = translate_cell(conf[key], code)
    warn_missing(app, "the cells sphinx-gallery adds to every notebook (conf.py)", code, f"{DOMAIN}.po")
    translated: dict[str, bytes] = {}
    written: set[Path] = set()
    for example in examples.all_examples(app):
        if not example.target.is_file():
            continue
        script = translated_copy(example.target, language)
        source = example.source.read_text(encoding="utf-8")
        translated[example.name] = _write_if_changed(script, translate_source(source, code, text).encode("utf-8"))
        notebook = translated_copy(example.generated_file(".ipynb"), language)
        translated[notebook.name] = _write_if_changed(notebook, seam.notebook_of(script, notebook, conf))
        written |= {script, notebook}
        warn_missing(app, f"{example.examples_dir.name}/{example.name}", code, f"{DOMAIN}.po")
        warn_missing(app, f"the text cells of {example.examples_dir.name}/{example.name}", text, "site.po")
    archives = [Path(app.srcdir) / ARCHIVE]
    for gallery in examples.galleries(app):
        archives += sorted(gallery.gallery_dir.glob("*.zip"))
    for archive in archives:
        if archive.is_file():
            copy = translated_copy(archive, language)
            _write_if_changed(copy, _translated_zip(archive, translated))
            written.add(copy)
    # What belonged to an example that is gone goes with it.
    for folder in {path.parent for path in written} | {translated_copy(a, language).parent for a in archives}:
        for path in folder.glob("*") if folder.is_dir() else ():
            if path.is_file() and path not in written:
                path.unlink()


def _translated_zip(archive: Path, translated: dict[str, bytes]) -> bytes:
    """``archive`` again, each member replaced by its translation when there is one (same names, same order)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            data = translated.get(Path(info.filename).name, None)
            copy = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            copy.external_attr = info.external_attr or 0o644 << 16
            target.writestr(copy, data if data is not None else source.read(info), compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


# -- The pages -----------------------------------------------------------------------------------


class TranslateCode(SphinxTransform):
    """On a translated page: Python code blocks with translated comments, download links to translated copies."""

    default_priority = 22  # after Sphinx's Locale transform (20)

    def apply(self) -> None:
        if not is_translation(self.config) or self.app.builder.name == "gettext":
            return
        language = self.config.language
        for download in self.document.findall(addnodes.download_reference):
            target = download.get("reftarget", "")
            _relative, absolute = self.env.relfn2path(target, self.env.docname)
            copy = translated_copy(Path(absolute), language)
            if copy.is_file():
                download["reftarget"] = "/" + copy.relative_to(self.env.srcdir).as_posix()
        blocks = [block for block in self.document.findall(nodes.literal_block)
                  if block.get("language", "").lower() in ("python", "py", "python3")]
        if not blocks:
            return
        words = Words(catalog(self.app, DOMAIN))
        for block in blocks:
            english = block.astext()
            try:
                text = translate_source(english, words)
            except (SyntaxError, tokenize.TokenError):
                continue  # not a whole program: left as it is
            if text != english:
                block.children[:] = [nodes.Text(text)]
                block.rawsource = text
        for folder in self.config.locale_dirs:  # a new translation of a comment rewrites the page
            compiled = Path(self.env.srcdir, folder, language, "LC_MESSAGES", f"{DOMAIN}.mo")
            if compiled.is_file():
                self.env.note_dependency(str(compiled))
        warn_missing(self.app, "this page's code", words, f"{DOMAIN}.po", location=self.env.docname)


def figure_words(app: Sphinx) -> "Words":
    """The translation of a text drawn on a figure (for its alt text), from :data:`DOMAIN`."""
    return Words(catalog(app, DOMAIN), context=FIGURE)


# -- Extraction (make translations) -------------------------------------------------------

#: The context of a text drawn on a figure in the catalog (a word such as "nn" may also be a comment).
FIGURE = "figure"


def extract(app: Sphinx, exception: Exception | None) -> None:
    """Write ``examples.pot`` beside the pages' catalogs: the examples' comments, docstrings and figure texts.

    The figure texts are read from the pages of this build's examples; a build
    without figures (``plot_gallery=0``) keeps those the catalogs already have.
    """
    if exception is not None or app.builder.name != "gettext":
        return
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    pot = Catalog(project=app.config.project, copyright_holder=app.config.author, fuzzy=False)
    figures_drawn = bool(app.config.sphinx_gallery_conf.get("plot_gallery", True))
    for key in NOTEBOOK_CELLS:
        for comment in cell_comments(app.config.sphinx_gallery_conf.get(key) or ""):
            pot.add(comment.text, auto_comments=[f"in every notebook: {key} (conf.py)"])
    for example in examples.all_examples(app):
        source = example.source.read_text(encoding="utf-8")
        skip = {row for first, end in text_cells(source.split("\n")) for row in range(first, end)}
        where = f"{example.examples_dir.name}/{example.name}"
        for comment in code_comments(source, skip):
            pot.add(comment.text, auto_comments=[f"{comment.kind} in {where}"])
        page = example.generated_file(".rst")
        rst = page.read_text(encoding="utf-8") if page.is_file() else ""
        figures_drawn = figures_drawn and bool(rst) and not (seam.read_images(rst) and not seam.read_figure_summaries(rst))
        for summary in seam.read_figure_summaries(rst).values():
            for drawn in figure_texts(summary):
                pot.add(drawn, context=FIGURE, auto_comments=[f"drawn on a figure of {where}"])
    for drawn in app.config.figure_texts_elsewhere:  # drawn only on other machines (an accelerator's line)
        if pot.get(drawn, context=FIGURE) is None:
            pot.add(drawn, context=FIGURE, auto_comments=["drawn on a figure on some machines (conf.py)"])
    if not figures_drawn:  # keep what the catalogs know, rather than dropping their translations
        logger.info("the examples' figures were not drawn: their texts are kept from the catalogs as they are")
        for po in sorted(Path(app.srcdir).glob(f"{app.config.locale_dirs[0]}/*/LC_MESSAGES/{DOMAIN}.po")):
            for message in read_po(po.open("rb")):
                if message.context == FIGURE and pot.get(message.id, context=FIGURE) is None:
                    pot.add(message.id, context=FIGURE, auto_comments=message.auto_comments)
    with open(Path(app.outdir) / f"{DOMAIN}.pot", "wb") as out:
        write_po(out, pot, width=0, omit_header=False, sort_output=False)


def figure_texts(summary: dict) -> list[str]:
    """The words on a figure (titles, axis labels, line labels, category names), as its summary records them."""
    texts = [summary["suptitle"]]
    for ax in summary["axes"]:
        texts += [ax["title"], ax["x"], ax["y"]]
        for line in ax["lines"]:
            texts.append(line["label"])
            texts += [point[0] for point in (line["start"], line["end"]) if isinstance(point[0], str)]
    return [text for text in dict.fromkeys(texts) if text and not text.startswith("_")]
