"""Every example page links back to the section of the tutorial that explains it.

A reader who lands on an example page from a search, or from a gallery, gets
the lesson around the program one click away. The ``tutorial-example``
directive notes the section it sits in (:func:`note_section`), and a section
of such a page that links to an example page it does not embed (the
comparison pages) is noted for that example (:func:`note_references`); when the pages are written, :class:`BackLink` puts a sentence with a link under each example
page's title, with the section's title in the page's language.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective

from sphinx import addnodes

from . import examples, seam
from .translations import FULL_WIDTH, _

#: env attribute: example source path -> (docname, section id) of the tutorial section showing it.
SECTIONS = "tutorial_site_sections"
#: Set when a document holding such sections is read again: the example pages are rewritten.
_CHANGED = "tutorial_site_sections_changed"


def _sections(env) -> dict[str, tuple[str, str]]:
    if not hasattr(env, SECTIONS):
        setattr(env, SECTIONS, {})
    return getattr(env, SECTIONS)


def note_section(directive: SphinxDirective, source: Path) -> None:
    """Record the section of the page that ``directive`` (showing ``source``) is in."""
    section = _enclosing_section(directive.state.parent)
    if section is not None:
        _sections(directive.env)[str(source)] = (directive.env.docname, section["ids"][0])


def note_references(app: Sphinx, doctree: nodes.document) -> None:
    """On a page that embeds examples, the sections that link to other examples' pages."""
    sections, docname = _sections(app.env), app.env.docname
    if not any(page == docname for page, _id in sections.values()):
        return
    labels = {seam.page_label(gallery.name, example.name): str(example.source)
              for gallery in examples.galleries(app)
              for example in examples.examples_of(gallery, app.config.sphinx_gallery_conf)}
    for xref in doctree.findall(addnodes.pending_xref):
        source = labels.get(xref.get("reftarget", ""))
        section = _enclosing_section(xref)
        if source and section is not None and source not in sections:
            sections[source] = (docname, section["ids"][0])


def _enclosing_section(node: nodes.Node) -> nodes.section | None:
    while node is not None and not isinstance(node, nodes.section):
        node = node.parent
    return node if node is not None and node["ids"] else None


def purge(app: Sphinx, env, docname: str) -> None:
    sections = _sections(env)
    for source in [s for s, (page, _id) in sections.items() if page == docname]:
        del sections[source]
        setattr(env, _CHANGED, True)


def merge(app: Sphinx, env, docnames, other) -> None:
    _sections(env).update({s: v for s, v in _sections(other).items() if v[0] in docnames})


def _example_pages(app: Sphinx) -> dict[str, str]:
    """docname of each example's generated page -> the example's source path."""
    srcdir = Path(app.srcdir)
    return {example.generated_file(".rst").relative_to(srcdir).with_suffix("").as_posix(): str(example.source)
            for example in examples.all_examples(app)}


def rewrite_example_pages(app: Sphinx, env) -> list[str]:
    """When the tutorial was read again, its titles may have changed: write the example pages again."""
    if not getattr(env, _CHANGED, False):
        return []
    setattr(env, _CHANGED, False)
    return sorted(page for page in _example_pages(app) if page in env.found_docs)


class BackLink(SphinxPostTransform):
    """Under an example page's title: "Explained step by step in the tutorial: <section>"."""

    default_priority = 900
    formats = ("html",)

    def run(self, **kwargs) -> None:
        source = _example_pages(self.app).get(self.env.docname)
        where = _sections(self.env).get(source) if source else None
        section = self.document.next_node(nodes.section)
        if where is None or section is None:
            return
        docname, section_id = where
        tutorial = self.env.get_doctree(docname)
        target = next((s for s in tutorial.findall(nodes.section) if section_id in s["ids"]), None)
        if target is None:
            return
        title = target.next_node(nodes.title).astext()
        uri = self.app.builder.get_relative_uri(self.env.docname, docname) + "#" + section_id
        lead = _("Explained step by step in the tutorial:")
        paragraph = nodes.paragraph("", "", classes=["tutorial-backlink"])
        paragraph += nodes.Text(lead if lead.endswith(FULL_WIDTH) else lead + " ")
        paragraph += nodes.reference("", title, refuri=uri, internal=True)
        section.insert(section.index(section.next_node(nodes.title)) + 1, paragraph)
