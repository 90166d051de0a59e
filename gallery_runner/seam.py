"""The one place that touches sphinx-gallery's internals.

sphinx-gallery's public surface is its configuration (``sphinx_gallery_conf``),
its directives and the files it writes. Everything else this site relies on
is reached through this module, and nowhere else: the function that runs one
example (which the site runs in a process of its own), its checksums and
recorded costs, its notebook writer's text conversion, its configuration-time
import of matplotlib, its thumbnail markup, the figure markup its matplotlib
scraper writes (whose alt text the site replaces), and the format of the reST
pages it generates (printed output and figures are read back from them).

These are not promised to stay the same between versions, so the site names
the versions it was written for (:data:`SUPPORTED`) and :func:`check_version`
stops the build with a clear message outside that range. To upgrade
sphinx-gallery: read its changelog for the names below, run ``make test``,
and widen the range.
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import html
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import sphinx
import sphinx_gallery
import sphinx_gallery.gen_gallery as _gen_gallery
import sphinx_gallery.gen_rst as _gen_rst
import sphinx_gallery.notebook as _notebook
import sphinx_gallery.recommender as _recommender
from sphinx_gallery import backreferences as _backreferences
from sphinx_gallery import directives as _sg_directives
from packaging.version import Version
from sphinx.errors import ExtensionError
from sphinx_gallery.backreferences import THUMBNAIL_PARENT_DIV, THUMBNAIL_PARENT_DIV_CLOSE, _thumbnail_div
from sphinx_gallery.gen_rst import extract_intro_and_title
from sphinx_gallery.py_source_parser import split_code_and_text_blocks
from sphinx_gallery.scrapers import matplotlib_scraper
from sphinx_gallery.utils import get_md5sum

#: The sphinx-gallery versions whose internals this module was written for: [low, high).
SUPPORTED = (Version("0.22"), Version("0.23"))
#: The Sphinx versions whose crash handler (a private module) :func:`handle_crashes_with` replaces: [low, high).
SPHINX_SUPPORTED = (Version("8.1"), Version("10"))

#: The sphinx-gallery extension, as Sphinx loads it.
EXTENSION = "sphinx_gallery.gen_gallery"

#: sphinx-gallery's warning about whitespace anywhere in an example's path.
SPACE_IN_PATH_WARNING = "sphinx_gallery.space_in_filename"

#: How each cell's printed output begins on a generated page.
CODE_OUTPUT = _gen_rst.CODE_OUTPUT


#: The installed sphinx-gallery's version: the code that writes every example's page.
VERSION = sphinx_gallery.__version__


def check_version(version: str = VERSION) -> None:
    """Stop the build if the installed sphinx-gallery is outside :data:`SUPPORTED`."""
    low, high = SUPPORTED
    if not low <= Version(version) < high:
        raise ExtensionError(
            f"sphinx-gallery {version} is installed, but this site's extension "
            f"(gallery_runner) relies on internals of sphinx-gallery >={low},<{high}. "
            f"Install the pinned version (pip install -r requirements.txt), or review "
            f"gallery_runner/seam.py against the new version and widen SUPPORTED."
        )


# -- Running one example -----------------------------------------------------------

#: sphinx-gallery's own ``generate_file_rst``, before :func:`run_examples_with` replaces it.
generate_file_rst = _gen_rst.generate_file_rst


def run_examples_with(stand_in) -> None:
    """Make sphinx-gallery's gallery pass call ``stand_in`` for every example.

    What replaces sphinx-gallery's function keeps its name, signature and
    documentation (``functools.wraps``), so a site that documents
    sphinx-gallery's API still documents sphinx-gallery's function.
    """

    @functools.wraps(generate_file_rst)
    def run_one(*args, **kwargs):
        return stand_in(*args, **kwargs)

    _gen_rst.generate_file_rst = run_one


def run_in(workdir: Path, examples_dir: Path) -> None:
    """Make the examples run in ``workdir`` where sphinx-gallery runs them in ``examples_dir``.

    Before each code block, sphinx-gallery changes the working directory to
    the example's own folder (and puts it on ``sys.path``), so whatever an
    example writes would land in the source tree. Called in an example's
    own process, this sends that change, and an example's own change to that
    folder, to ``workdir`` instead.
    """
    chdir = os.chdir
    examples_dir = Path(examples_dir).resolve()

    def change_dir(path):
        with contextlib.suppress(OSError, TypeError, ValueError):
            if Path(os.fsdecode(path)).resolve() == examples_dir:
                path = workdir
        chdir(path)

    os.chdir = change_dir


class _BytesAsText:
    """``sys.stdout.buffer`` inside an example: bytes written to it are captured as UTF-8 text."""

    def __init__(self, text_stream) -> None:
        self._text = text_stream
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.closed = False

    def write(self, data) -> int:
        self._text.write(self._decoder.decode(bytes(data)))
        return len(data)

    def flush(self) -> None:
        rest = self._decoder.decode(b"", final=True)
        if rest:
            self._text.write(rest)
        self._text.flush()

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def isatty(self) -> bool:
        return False


def _byte_stream(tee) -> _BytesAsText:
    stream = tee.__dict__.get("_gallery_runner_buffer")
    if stream is None:
        stream = tee.__dict__["_gallery_runner_buffer"] = _BytesAsText(tee)
    return stream


def give_output_a_byte_stream() -> None:
    """Give the stream that captures an example's output a ``buffer``, as ``sys.stdout`` has.

    sphinx-gallery replaces ``sys.stdout`` with an object that has no
    ``buffer``, so an example that writes bytes failed with "'_LoggingTee'
    object has no attribute 'buffer'".
    """
    if not hasattr(_gen_rst._LoggingTee, "buffer"):
        _gen_rst._LoggingTee.buffer = property(_byte_stream)


def expected_to_fail(script: Path, conf: dict) -> bool:
    """Whether conf.py lists ``script`` in ``expected_failing_examples``."""
    return str(Path(script).resolve()) in _gen_gallery._expected_failing_examples(
        {"src_dir": ".", "expected_failing_examples": (), **conf})


def result_of_failure(script: Path, target: Path, conf: dict, record: dict) -> tuple:
    """The result sphinx-gallery's ``generate_file_rst`` gave for a run that failed, from ``record``.

    ``record`` holds what that run reported (intro, title, time, memory, the
    traceback); its code objects and tags are read again as sphinx-gallery
    reads them for an example it does not run.
    """
    out_vars = {"formatted_exception": record["formatted_exception"]}
    tags = file_settings(script).get("tags")
    if tags is not None:
        out_vars["tags"] = tags
    out_vars["backrefs"] = _gen_rst._read_cached_backrefs(conf, Path(target))
    return record["intro"], record["title"], (record["time"], record["memory"]), out_vars


def is_run(script: Path, conf: dict) -> bool:
    """Whether sphinx-gallery would execute ``script`` in this build."""
    return bool(_gen_rst.executable_script(str(script), conf))


def checksum(script: Path) -> str:
    """The checksum sphinx-gallery records for a script's last run."""
    return get_md5sum(script, mode="t")


def checksum_file(target: Path) -> Path:
    """Where sphinx-gallery keeps that checksum, for the copy ``target`` of a script."""
    return Path(f"{target}.md5")


def recorded_cost(target: Path) -> float:
    """Seconds the last run of the example copied to ``target`` took (0 if unknown)."""
    return _gen_rst._read_cached_cost(target)[0] or 0.0


def file_settings(script: Path) -> dict:
    """The ``# sphinx_gallery_<name> = value`` settings of a script."""
    settings, _ = split_code_and_text_blocks(str(script))
    return settings


def cells(script: Path) -> list[tuple[str, str]]:
    """A script's blocks, as (``"text"`` or ``"code"``, content), its title docstring first."""
    _, blocks = split_code_and_text_blocks(str(script))
    return [(block.type, block.content) for block in blocks]


def has_gallery_header(folder: Path, conf: dict) -> bool:
    """Whether sphinx-gallery finds the page that introduces the gallery of ``folder``."""
    if _gen_rst._get_gallery_header(folder, conf, raise_error=False) is not None:
        return True
    return bool(re.match(conf["copyfile_regex"], "index.rst")) and (Path(folder) / "index.rst").is_file()


def unexpected_outcomes(conf: dict) -> tuple[set[str], set[str]]:
    """The examples that failed though not expected to, and those expected to fail that passed, as sphinx-gallery sorts them."""
    conf = {"expected_failing_examples": (), "src_dir": ".", "filename_pattern": "", **conf}
    _, failing_unexpectedly, passing_unexpectedly = _gen_gallery._parse_failures(conf)
    return failing_unexpectedly, passing_unexpectedly


def warnings_fail_build(app) -> bool:
    """Whether this build turns warnings into errors (``sphinx-build -W``)."""
    return bool(getattr(app, "_fail_on_warnings", False) or getattr(app, "warningiserror", False))


def filled_conf(conf: dict) -> dict:
    """``conf`` with sphinx-gallery's defaults for every setting it leaves out, as sphinx-gallery fills them."""
    return _gen_gallery._fill_gallery_conf_defaults(conf, check_keys=False)


def gallery_folders(conf: dict) -> list[tuple[str, str]]:
    """(examples folder, generated folder) of each gallery, as sphinx-gallery pairs them (a string is a list of one)."""
    examples_dirs, gallery_dirs = conf["examples_dirs"], conf["gallery_dirs"]
    examples_dirs = examples_dirs if isinstance(examples_dirs, list) else [examples_dirs]
    gallery_dirs = gallery_dirs if isinstance(gallery_dirs, list) else [gallery_dirs]
    return list(zip(examples_dirs, gallery_dirs))


def subsections(srcdir: Path, examples_dir: Path, conf: dict) -> list[str]:
    """The sub-folders of a gallery that sphinx-gallery makes sub-galleries of, in its order.

    As its gallery pass does: with a header of its own when the gallery has
    sphinx-gallery's index, every sub-folder when the user writes the index.
    """
    if not Path(examples_dir).is_dir():
        return []
    with_header = _gen_rst._get_gallery_header(Path(examples_dir), conf, raise_error=False) is not None
    return _gen_gallery.get_subsections(srcdir, examples_dir, conf, check_for_header=with_header)


def order_key(conf: dict, examples_dir: Path):
    """sphinx-gallery's ``within_subsection_order`` for one folder, as the key it sorts file names by.

    Every form it accepts: a built-in name, a dotted name, a class (made with
    the folder, as sphinx-gallery makes it) or a callable.
    """
    return _gen_rst._get_callables(conf, "within_subsection_order", str(examples_dir))[0]


def intro_and_title(script: Path) -> tuple[str, str]:
    """The short description and title sphinx-gallery shows for a script."""
    _, blocks = split_code_and_text_blocks(str(script))
    return extract_intro_and_title(str(script), blocks[0].content)


# -- Configuration-time matplotlib ---------------------------------------------------

_eager_import = _gen_gallery._import_matplotlib


def _import_matplotlib_lazily():
    if "matplotlib" in sys.modules:
        return _eager_import()  # already there: let sphinx-gallery check it now
    os.environ["MPLBACKEND"] = "agg"
    return None, None


def defer_matplotlib(app, config) -> None:
    """Keep sphinx-gallery from importing matplotlib when the configuration is read.

    That import costs about a second, half of a rebuild in which nothing
    changed. Until something imports matplotlib, ``MPLBACKEND=agg`` is set
    instead, so matplotlib starts with Agg whenever it is imported; sphinx-
    gallery still checks the backend before each example it runs.
    """
    _gen_gallery._import_matplotlib = _import_matplotlib_lazily


# -- Notebooks ----------------------------------------------------------------------

_rst2md = _notebook.rst2md


def convert_notebook_text_with(rewrite) -> None:
    """Pass every text cell through ``rewrite`` before sphinx-gallery makes it markdown.

    ``rst2md`` is looked up in ``sphinx_gallery.notebook`` on each call, by the
    Sphinx process and by the forked example processes alike.
    """

    @functools.wraps(_rst2md)
    def rst2md(text, *args, **kwargs):
        return _rst2md(rewrite(text), *args, **kwargs)

    _notebook.rst2md = rst2md


# -- Thumbnails ------------------------------------------------------------------------


_thumbnail_div_unescaped = _thumbnail_div


def _escaped_thumbnail_div(target_dir, src_dir, fname, intro, title, *args, **kwargs) -> str:
    """sphinx-gallery's thumbnail, with its title escaped too: it goes into raw HTML as it is."""
    return _thumbnail_div_unescaped(target_dir, src_dir, fname, intro, html.escape(title, quote=False),
                                    *args, **kwargs)


def escape_thumbnail_text() -> None:
    """Escape the title that every sphinx-gallery thumbnail writes into raw HTML.

    sphinx-gallery escapes the first paragraph it puts into the thumbnail's
    ``tooltip`` attribute, but writes the title into its ``<div>`` as it is,
    so ``<b>`` in a title became a live element, and ``List<int>`` broken
    markup. Every module of sphinx-gallery that writes a thumbnail gets the
    escaping one.
    """
    for module in (_gen_rst, _backreferences, _sg_directives, _recommender):
        if getattr(module, "_thumbnail_div", None) is _thumbnail_div_unescaped:
            module._thumbnail_div = _escaped_thumbnail_div


def _visit_figure_escaping_alt(self, node) -> None:
    """sphinx-gallery's HTML for a figure with a ``srcset``, with its alt text escaped."""
    if node["srcset"] is None:  # docutils writes this one, escaping it
        _sg_directives.visit_imgsg_html(self, node)
        return
    alt = node["alt"]
    node["alt"] = html.escape(alt, quote=True)
    try:
        _sg_directives.visit_imgsg_html(self, node)
    finally:
        node["alt"] = alt


def escape_figure_alt_text(app) -> None:
    """Escape the alt text that sphinx-gallery writes into each figure's ``<img>`` as it is.

    With ``image_srcset``, sphinx-gallery writes the ``<img>`` tag itself, and
    a ``"`` in an alt text (from a plot's label or title) ended the attribute.
    """
    app.add_node(_sg_directives.imgsgnode, override=True,
                 html=(_visit_figure_escaping_alt, _sg_directives.depart_imgsg_html),
                 latex=(_sg_directives.visit_imgsg_latex, _sg_directives.depart_imgsg_latex))


def thumbnails_rst(entries: list[tuple[Path, Path, Path]]) -> str:
    """reST for a grid of thumbnails: one per (script, generated folder, source folder)."""
    lines = [THUMBNAIL_PARENT_DIV]
    for script, gallery_dir, srcdir in entries:
        intro, title = intro_and_title(script)
        # check=False: a html-noplot build has no thumbnails yet; the grid
        # falls back to sphinx-gallery's default image, as its galleries do.
        lines.append(_escaped_thumbnail_div(gallery_dir, srcdir, script.name, intro, title, check=False))
    lines.append(THUMBNAIL_PARENT_DIV_CLOSE)
    return "\n".join(lines)


# -- Figures -----------------------------------------------------------------------------

#: The alt-text line of each figure in the reST that the matplotlib scraper returns.
_ALT_OPTION = re.compile(r"^(?P<indent>[ \t]+:alt: ).*$", re.MULTILINE)


def scrape_matplotlib(block, block_vars, gallery_conf, alt_texts: list[str], summaries=(), **kwargs) -> str:
    """sphinx-gallery's matplotlib scraper, with ``alt_texts`` as the open figures' alt texts.

    ``alt_texts`` (and ``summaries``, JSON-able, written after the figures
    in a comment that :func:`read_figure_summaries` reads) have one entry per
    open figure, in the order of ``plt.get_fignums()``, the order in which
    the scraper saves them.
    """
    rst = matplotlib_scraper(block, block_vars, gallery_conf, **kwargs)
    texts = iter(" ".join(text.split()) for text in alt_texts)
    rst = _ALT_OPTION.sub(lambda m: m["indent"] + next(texts, m[0][len(m["indent"]):]), rst)
    if summaries:
        names = [Path(path).name for path in dict.fromkeys(_IMAGE.findall(rst))]
        mapping = json.dumps(dict(zip(names, summaries)), ensure_ascii=False, separators=(",", ":"))
        rst += f"\n\n.. {_SUMMARIES}{mapping}\n"
    return rst


_SUMMARIES = "tutorial-figures: "


def read_figure_summaries(rst: str) -> dict[str, dict]:
    """{image file name: summary} from the comments :func:`scrape_matplotlib` wrote (or a comment's text)."""
    found = {}
    for line in rst.splitlines():
        line = line.strip().removeprefix(".. ")
        if line.startswith(_SUMMARIES):
            found.update(json.loads(line[len(_SUMMARIES):]))
    return found


# -- Reading a generated page --------------------------------------------------------

#: The class sphinx-gallery gives a cell's printed output.
OUTPUT_CLASS = "sphx-glr-script-out"
_OUTPUT_START = f".. rst-class:: {OUTPUT_CLASS}"
_IMAGE = re.compile(r"^\s*\.\. image(?:-sg)?:: (/\S+\.png)\s*$", re.MULTILINE)
_FIGURE = re.compile(r"^\s*\.\. image(?:-sg)?:: (/\S+\.png)\s*\n(?:[ \t]+:(?!alt:)\w+:.*\n)*[ \t]+:alt: (.*)$",
                     re.MULTILINE)
_EXAMPLE_TITLE = "sphx-glr-example-title"


def is_example_page(rst: str) -> bool:
    """Whether ``rst`` is a page sphinx-gallery generated for an example."""
    return _EXAMPLE_TITLE in rst


@dataclass(frozen=True)
class OutputBlock:
    """One cell's printed output on a generated page: lines ``start`` to ``end`` (exclusive) of it, and its text."""

    start: int
    end: int
    text: str


def output_blocks(rst: str) -> list[OutputBlock]:
    """Each cell's printed output on the example's generated reST page, in order.

    sphinx-gallery writes each cell's output as an ``rst-class`` line
    followed by a ``code-block:: none`` whose lines are indented by four
    spaces. Cells that printed nothing have no block. A block spans its
    ``rst-class`` line to its last line of output.
    """
    lines = rst.splitlines()
    blocks = []
    i = 0
    while i < len(lines):
        if lines[i].strip() != _OUTPUT_START:
            i += 1
            continue
        start = i
        i += 1
        while i < len(lines) and not lines[i].strip():
            i += 1
        if i >= len(lines) or lines[i].strip() != ".. code-block:: none":
            continue
        i += 1
        block, end = [], i
        while i < len(lines) and (not lines[i].strip() or lines[i].startswith("    ")):
            block.append(lines[i][4:])
            i += 1
            if lines[i - 1].strip():
                end = i
        text = "\n".join(block).strip("\n")
        if text:
            blocks.append(OutputBlock(start, end, text))
    return blocks


_RUNNING_TIME_BLOCK = re.compile(r"^\.\. rst-class:: sphx-glr-timing\n\n[ \t]+\*\*Total running time of the script:\*\*.*\n",
                                 re.MULTILINE)


def after_running_time(rst: str, addition: str) -> str:
    """``rst`` with the reST ``addition`` right after its "Total running time" line (unchanged if it has none)."""
    found = _RUNNING_TIME_BLOCK.search(rst)
    if found is None or addition in rst:
        return rst
    return f"{rst[:found.end()]}\n{addition.rstrip()}\n{rst[found.end():]}"


def read_images(rst: str) -> list[str]:
    """Source-folder-absolute paths of the figures on a generated page."""
    return list(dict.fromkeys(_IMAGE.findall(rst)))


def read_figures(rst: str) -> list[tuple[str, str]]:
    """(source-folder-absolute path, alt text) of each figure on a generated page."""
    return list(dict.fromkeys(_FIGURE.findall(rst)))


#: The files sphinx-gallery generates per example, beside its copy ``<stem>.py``.
GENERATED_SUFFIXES = (".py", ".py.md5", ".rst", ".ipynb", ".codeobj.json", ".cost.json", ".zip")


#: How every figure, animation and thumbnail sphinx-gallery makes for an example begins.
EXAMPLE_FILE_PREFIX = "sphx_glr_"


def example_image_pattern(stem: str) -> re.Pattern:
    """What sphinx-gallery names the figures, animations and thumbnails of the example ``stem``."""
    return re.compile(rf"^sphx_glr_{re.escape(stem)}_(?:\d{{3}}|thumb)(?:[._].*)?$")


def thumbnail(gallery_dir: Path, stem: str) -> Path:
    """Where sphinx-gallery puts an example's thumbnail."""
    return gallery_dir / "images" / "thumb" / f"sphx_glr_{stem}_thumb.png"


def page_label(gallery: str, filename: str) -> str:
    """The reference label sphinx-gallery gives an example's page."""
    return f"sphx_glr_{gallery.replace('/', '_')}_{filename}"


# -- The execution-times pages ------------------------------------------------------------

_REMOTE_ASSETS = re.compile(r"^  \.\. raw:: html\n.*?(?=^  \.\. list-table::)", re.S | re.M)
TIMES_PAGE = "sg_execution_times"


def without_remote_assets(times_page: str) -> str:
    """An execution-times page without the raw HTML that loads Bootstrap and DataTables from CDNs."""
    return _REMOTE_ASSETS.sub("", times_page)


# -- Notebooks of translated scripts ----------------------------------------------


def notebook_of(script: Path, target: Path, gallery_conf: dict) -> bytes:
    """The notebook sphinx-gallery would make of ``script`` (its blocks, its text cells as markdown), as bytes.

    ``target`` is where the notebook will be offered; it is not written here.
    """
    _, blocks = split_code_and_text_blocks(str(script))
    notebook = _notebook.jupyter_notebook(blocks, gallery_conf, str(target.parent))
    return json.dumps(notebook, indent=2).encode("ascii")  # as sphinx-gallery's save_notebook writes it


# -- sphinx-gallery's words, HTML and classes, which the site translates or adds to ---------------

#: The sentence sphinx-gallery ends an example's page with, and the one above each execution-times table.
RUNNING_TIME = re.compile(r"^Total running time of the script: \((\d+) minutes ([\d.]+) seconds\)$")
TOTAL_TIME = re.compile(r"^(\d+:\d+\.\d+) total execution time for (\d+) files? from (.+):$")
#: The class of sphinx-gallery's execution-times tables.
TIMES_TABLE_CLASS = "sg-datatable"
#: A thumbnail, as sphinx-gallery writes it in raw HTML: its tooltip and its title.
THUMBNAIL_MARK = "sphx-glr-thumb"
THUMBNAIL_PARTS = re.compile(r'(?P<head>tooltip=")(?P<tooltip>[^"]*)(?=")|'
                             r'(?P<open><div class="sphx-glr-thumbnail-title">)(?P<title>[^<]*)(?=</div>)')
#: The box of an example page's notebook download, and the classes of a download button.
NOTEBOOK_DOWNLOAD_CLASS = "sphx-glr-download-jupyter"


def download_button_classes(kind: str) -> list[str]:
    """The classes of one of the download buttons at the foot of an example's page, e.g. ``"colab"``."""
    return ["sphx-glr-download", f"sphx-glr-download-{kind}"]


def is_example_figure(uri: str) -> bool:
    """Whether an image's URI is one of the figures sphinx-gallery saved for an example."""
    return EXAMPLE_FILE_PREFIX in uri


# -- sphinx-gallery's example files ------------------------------------------------------------

#: A line that starts a text cell: ``# %%`` or a line of 20 or more ``#``.
CELL_START = re.compile(r"^(?:# %%.*|#{20,}\s*)$")
#: How a comment that sets sphinx-gallery for one file begins (``# sphinx_gallery_<name> = value``).
FILE_SETTING = "sphinx_gallery_"
#: What sphinx-gallery says of a script that does not begin with a docstring.
NO_DOCSTRING = "Could not find docstring"


# -- Sphinx's crash report ---------------------------------------------------------------------


def raised_by_sphinx_gallery(filename: str) -> bool:
    """Whether a frame's file is one of sphinx-gallery's own modules."""
    return Path(filename).resolve().is_relative_to(Path(sphinx_gallery.__file__).resolve().parent)


def handle_crashes_with(handler) -> bool:
    """Have Sphinx's command line call ``handler`` where it would print its crash report.

    ``handler(exception, **kwargs)`` is given Sphinx's own handler as
    ``crash_report=``. Sphinx's handler is private: outside
    :data:`SPHINX_SUPPORTED` nothing is replaced (False), and every error gets
    Sphinx's own report, as without this engine.
    """
    low, high = SPHINX_SUPPORTED
    if not low <= Version(sphinx.__version__) < high:
        return False
    try:
        import sphinx._cli.util.errors as errors
    except ImportError:
        return False
    original = getattr(errors.handle_exception, "_sphinx_original", errors.handle_exception)

    def handle_exception(exception, /, **kwargs):
        return handler(exception, crash_report=original, **kwargs)

    handle_exception._sphinx_original = original
    errors.handle_exception = handle_exception
    return True
