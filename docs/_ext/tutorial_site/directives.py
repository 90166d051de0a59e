"""The site's directives: the narrative page's examples, thumbnails, the archive, a page's result.

sphinx-gallery runs every example when the builder starts, writing one reST
page per example (its code, what it printed, its figures) plus a ``.py`` and
an ``.ipynb`` copy into the gallery folders. These directives reuse those
results elsewhere in the site, so that nothing is written twice:

``.. tutorial-example:: ../examples_tensor/two_layer_net_numpy.py``
    Embeds the example's code (read from the example file, without its title
    docstring), then what it printed and its loss plot as produced by this
    build, then links to the example page and its downloads.

``.. example-thumbnails:: ../examples_tensor``
    The thumbnails of one gallery, in gallery order.

``.. examples-archive::``
    A download link to one zip of every example, as scripts and notebooks,
    which :func:`.archive.write_examples_archive` writes when the builder starts.

``.. example-result::`` (in an example's title docstring)
    The example's own figures and one of its printed outputs, at the top of
    its page, so that a page can lead with its result: what the code further
    down drew and printed in this build.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from gallery_runner import examples, seam, sources
from gallery_runner import printed as engine_printed
from gallery_runner import provenance as engine_provenance
from gallery_runner.seam import read_figure_summaries, read_figures, read_images

from . import backlinks, figures
from .archive import ARCHIVE
from .translations import _




#: Printed output longer than this many lines is cut on the narrative page,
#: keeping its first and last lines; the example page always shows all of it.
OUTPUT_LINES = 50
OUTPUT_HEAD, OUTPUT_TAIL = 30, 10
#: Longer lines are cut to this many characters there, too.
OUTPUT_WIDTH = 500


def shorten_output(text: str) -> tuple[str, int]:
    """``text`` cut to :data:`OUTPUT_LINES` lines, and how many lines were left out."""
    lines = [line if len(line) <= OUTPUT_WIDTH else line[:OUTPUT_WIDTH] + " [...]"
             for line in text.splitlines()]
    if len(lines) <= OUTPUT_LINES:
        return "\n".join(lines), 0
    left_out = len(lines) - OUTPUT_HEAD - OUTPUT_TAIL
    note = _("[... {count} lines not shown here ...]").format(count=f"{left_out:,}")
    kept = lines[:OUTPUT_HEAD] + [note] + lines[-OUTPUT_TAIL:]
    return "\n".join(kept), left_out


def example_cells(source: Path) -> list[tuple[str, str]]:
    """The example's cells after its title docstring, as (``"text"`` or ``"code"``, content)."""
    cells = [(kind, content.strip("\n")) for kind, content in seam.cells(source)[1:]]
    return [(kind, content) for kind, content in cells if content.strip()]


_HEADING = re.compile(r"^(?P<title>\S.*)\n(?P<rule>[-=~^\"'`#*+]{3,})$", re.M)


def text_for_the_page(text: str) -> str:
    """A text cell for the narrative page: its section titles become rubrics.

    The narrative page's own sections hold the examples, so a cell's title is
    shown as a run-in heading (``rubric``) rather than a section of its own.
    """
    return _HEADING.sub(lambda m: f".. rubric:: {m['title'].strip()}\n", text)


#: Code cells the narrative page folds away: (summary, test on the cell's names).
_PLOTTING = {"plt", "fig", "ax"}


def boilerplate(code: str) -> str | None:
    """What a code cell is, if it is boilerplate the narrative page folds: else None.

    Choosing the device (a cell that only assigns ``device``, and reports it)
    and drawing the figure (a cell in which every statement uses ``plt``,
    ``fig`` or ``ax``) are the same in every example; the page shows them
    folded, the example page and the downloads in full.
    """
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    assigned = {target.id for node in tree.body if isinstance(node, ast.Assign)
                for target in node.targets if isinstance(target, ast.Name)}
    if assigned == {"device"} and all(isinstance(node, (ast.Assign, ast.Expr)) for node in tree.body):
        return _("How the device is chosen")
    names = [{n.id for n in ast.walk(node) if isinstance(n, ast.Name)} for node in tree.body]
    if names and all(used & _PLOTTING for used in names):
        return _("How the figure is drawn")
    return None


def _indent(text: str, spaces: int) -> str:
    pad = " " * spaces
    return "\n".join(pad + line if line.strip() else "" for line in text.splitlines())


# -- Directives ---------------------------------------------------------------

#: The classes of the paragraphs the directives write in their own words.
OWN_WORDS = {"tutorial-example-source", "tutorial-output-label", "tutorial-output-cut", "tutorial-not-run",
             "tutorial-example-links"}


def own_words(node: nodes.Element) -> nodes.Element:
    """Keep the directives' own sentences out of the pages' translation catalogs.

    They are written in the page's language already (``_``, from this
    extension's catalog); the example's own text cells stay translatable.
    """
    if isinstance(node, nodes.paragraph):
        node["translatable"] = False
    # Each sentence follows its ``rst-class`` line, which is still pending: docutils
    # applies the class after Sphinx has translated the page.
    for pending in list(node.findall(nodes.pending)):
        if OWN_WORDS & set(pending.details.get("class", ())):
            following = pending.parent[pending.parent.index(pending) + 1]
            for element in following.findall(nodes.TextElement):
                element["translatable"] = False
    return node



def _output_rst(text: str) -> list[str]:
    """reST lines for a block of printed output."""
    return [".. code-block:: none", "   :class: tutorial-output", "", _indent(text, 3), ""]


def _figure_rst(image: str, alt: str) -> list[str]:
    """reST lines for one of an example's figures."""
    return [f".. image:: {image}", f"   :alt: {alt}", "   :class: tutorial-plot", ""]


def _figures_rst(images: list[str], generated: str, fallback: str, drawn=figures.as_written) -> list[str]:
    """reST lines for the figures ``images`` of a generated page, each with the alt text it has there.

    That text describes the figure's data (tutorial_site.figures); ``fallback``
    serves a figure that has none; ``drawn`` translates the words drawn on it.
    """
    alt_texts = dict(read_figures(generated))
    # In the page's language, from the figure's summary (tutorial_site.figures).
    summaries = read_figure_summaries(generated)
    alt_texts.update({image: figures.describe(summaries[Path(image).name], _, drawn) for image in images
                      if Path(image).name in summaries})
    return [line for image in images for line in _figure_rst(image, alt_texts.get(image, fallback))]


class TutorialExampleDirective(SphinxDirective):
    """Code, output, plot and links of one example, for the narrative page."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        abspath = self.env.relfn2path(self.arguments[0])[1]
        if sources.left_out(self.env.app, Path(abspath)):  # the build fails, saying why
            return [nodes.paragraph("", _("This example is left out of this build: see the errors above."))]
        found = examples.find(self.env.app, Path(abspath))
        if found is None or not found[1].source.is_file():
            raise self.error(
                f"{self.arguments[0]!r} is not an example script inside one of "
                "sphinx_gallery_conf['examples_dirs']"
            )
        gallery, example = found
        page = example.generated_file(".rst")
        if not page.is_file():
            raise self.error(
                f"sphinx-gallery generated no page for {self.arguments[0]!r} "
                f"(expected {page.name} in {gallery.name})"
            )
        label = seam.page_label(gallery.name, example.name)

        def download(suffix: str) -> str:
            return f"/{gallery.name}/{example.stem}{suffix}"

        self.env.note_dependency(str(example.source))
        self.env.note_dependency(str(page))
        backlinks.note_section(self, page)
        generated = page.read_text(encoding="utf-8")

        parts = [
            ".. rst-class:: tutorial-example-source",
            "",
            _("The program, {path}, with its own explanations:").format(
                path=f"``{example.examples_dir.name}/{example.name}``"),
            "",
        ]
        cells = example_cells(example.source)
        # Text after the last code cell ("Try it") is about the result: it follows the output and figures.
        last_code = max((i for i, (kind, _content) in enumerate(cells) if kind == "code"), default=-1)
        cells, closing = cells[:last_code + 1], cells[last_code + 1:]
        for kind, content in cells:
            if kind == "text":
                parts += [text_for_the_page(content), ""]
                continue
            folded = boilerplate(content)
            if folded == _("How the device is chosen") and not self.env.temp_data.get("tutorial_device_shown"):
                # The first program on the page that chooses a device shows how, open; the others fold it.
                self.env.temp_data["tutorial_device_shown"] = True
                folded = None
            if folded:
                parts += [".. raw:: html", "", f"   <details class=\"tutorial-fold\"><summary>{folded}</summary>", ""]
            parts += [".. code-block:: python", "", _indent(content, 3), ""]
            if folded:
                parts += [".. raw:: html", "", "   </details>", ""]
        printed = engine_printed.outputs(generated, example.gallery_dir)
        output, images = "\n".join(block.text for block in printed), read_images(generated)
        for block in printed:
            if block.file:
                self.env.note_dependency(str(example.gallery_dir / block.file))
        if output:
            shown, left_out = shorten_output(output)
            parts += [".. rst-class:: tutorial-output-label", "", _("What it printed when it ran:"), "",
                      *_output_rst(shown)]
            if left_out:
                total = len(output.splitlines())
                page_link = ":ref:`{} <{}>`".format(_("The example page"), label)
                if any(block.file for block in printed):
                    # The example's page shows more of it, and links to the whole of it.
                    said = _("The output is cut here: it has {total} lines, of which the first {head} and the last "
                             "{tail} are shown. {page} shows more of it, with a link to all of it.")
                else:
                    said = _("The output is cut here: it has {total} lines, of which the first {head} and the last "
                             "{tail} are shown. {page} shows all of it.")
                parts += [
                    ".. rst-class:: tutorial-output-cut",
                    "",
                    said.format(total=f"{total:,}", head=OUTPUT_HEAD, tail=OUTPUT_TAIL, page=page_link),
                    "",
                ]
        drawn = figures.words_drawn(self.env.app)
        parts += _figures_rst(images, generated, _("A figure drawn by {name}").format(name=example.source.name), drawn)
        figures.report_untranslated(self.env.app, drawn, self.get_location())
        if (output or images) and example.provenance_record.is_file():
            # Where, when and with what the run that printed and drew these ran.
            record = example.provenance_record.relative_to(Path(self.env.srcdir).resolve()).as_posix()
            parts += [f".. {engine_provenance.DIRECTIVE}:: /{record}", ""]
        if not (output or images):
            parts += [
                ".. rst-class:: tutorial-not-run",
                "",
                "*" + _("The examples were not run in this build, so there is no output to show here.") + "*",
                "",
            ]
        parts += [line for _kind, content in closing for line in (text_for_the_page(content), "")]
        parts += [
            ".. rst-class:: tutorial-example-links",
            "",
            " · ".join([
                ":ref:`{} <{}>`".format(_("Example page"), label),
                ":download:`{} <{}>`".format(_("Download {name}").format(name=example.source.name), download(".py")),
                ":download:`{} <{}>`".format(_("Download {name}").format(name=f"{example.stem}.ipynb"),
                                             download(".ipynb")),
            ]),
        ]
        container = nodes.container(classes=["tutorial-example"])
        container += self.parse_text_to_nodes("\n".join(parts))
        return [own_words(container)]


class ExampleResultDirective(SphinxDirective):
    """An example's figures and its ``:output:``-th printed block, on its own page.

    It reads the page sphinx-gallery generated in this build, which is the
    very document the directive sits in, so it shows what the code below it
    printed and drew. A page whose example has not run yet (``make html
    EXAMPLE=...`` of another example, before the first full build) says so
    instead.
    """

    option_spec = {"output": directives.positive_int}

    def run(self) -> list[nodes.Node]:
        page = Path(self.env.doc2path(self.env.docname))
        generated = page.read_text(encoding="utf-8")
        if not seam.is_example_page(generated):
            raise self.error("example-result belongs in the title docstring of a gallery example")
        outputs, images = engine_printed.outputs(generated, page.parent), read_images(generated)
        drawn = figures.words_drawn(self.env.app)
        parts = _figures_rst(images, generated, _("A figure drawn by this example"), drawn)
        figures.report_untranslated(self.env.app, drawn, self.get_location())
        if "output" in self.options and outputs:
            number = self.options["output"]
            if number > len(outputs):
                raise self.error(
                    f":output: {number}, but the example printed {len(outputs)} block(s) in this build"
                )
            chosen = outputs[number - 1]
            # An output too long for the page is shown as the page shows it further down: in part, with its link.
            parts += [*chosen.rst, ""] if chosen.file else _output_rst(chosen.text)
        if not (outputs or images):
            parts += [".. rst-class:: tutorial-not-run", "",
                      "*" + _("This example has not run in this build yet, so its result is not shown here.") + "*",
                      ""]
        container = nodes.container(classes=["example-result"])
        container += self.parse_text_to_nodes("\n".join(parts))
        return [own_words(container)]


class ExampleThumbnailsDirective(SphinxDirective):
    """The thumbnails of one gallery, in gallery order, linking to the pages."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        folder = self.env.relfn2path(self.arguments[0])[1]
        folder = Path(folder).resolve()
        app = self.env.app
        gallery = next((g for g in examples.galleries(app) if g.examples_dir == folder), None)
        if gallery is None and sources.left_out(app, folder):
            return []  # the build fails, saying why
        if gallery is None:
            raise self.error(f"{self.arguments[0]!r} is not a gallery's examples folder")
        srcdir = Path(self.env.srcdir)
        entries = [(example.source, gallery.gallery_dir, srcdir)
                   for example in examples.examples_of(gallery, app.config.sphinx_gallery_conf)]
        return self.parse_text_to_nodes(seam.thumbnails_rst(entries))


class ExamplesArchiveDirective(SphinxDirective):
    """A download link to the zip that :func:`.archive.write_examples_archive` wrote."""

    def run(self) -> list[nodes.Node]:
        text = _("Download all examples as Python scripts and Jupyter notebooks (zip)")
        return [own_words(node) for node in self.parse_text_to_nodes(f":download:`{text} </{ARCHIVE}>`")]
