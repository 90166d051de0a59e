"""Every example page links back to the section of the tutorial that explains it.

A reader who lands on an example page from a search, or from a gallery, gets
the lesson around the program one click away. The ``tutorial-example``
directive notes the section it sits in (:func:`note_section`); once that page
is read and translated, :func:`note_titles_and_references` adds each section's
title in the page's language, and notes the sections that link to an example
page the page does not embed (the comparison pages). When the pages are
written, :class:`BackLink` puts a sentence with a link under each example
page's title.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective

from gallery_runner import examples, seam

from .translations import FULL_WIDTH, _

#: env attribute: an example page's docname -> [docname, section id, section title] of the tutorial section.
SECTIONS = "tutorial_site_sections"
#: env attribute: example pages whose section was read again, to be written again.
_REWRITE = "tutorial_site_sections_rewrite"


def _sections(env) -> dict[str, list]:
    if not hasattr(env, SECTIONS):
        setattr(env, SECTIONS, {})
    return getattr(env, SECTIONS)


def _enclosing_section(node: nodes.Node) -> nodes.section | None:
    while node is not None and not isinstance(node, nodes.section):
        node = node.parent
    return node if node is not None and node["ids"] else None


def note_section(directive: SphinxDirective, page: Path) -> None:
    """Record the section that ``directive``, showing the example of generated ``page``, is in."""
    section = _enclosing_section(directive.state.parent)
    if section is not None:
        env = directive.env
        _sections(env)[env.path2doc(str(page))] = [env.docname, section["ids"][0], ""]


def note_titles_and_references(app: Sphinx, doctree: nodes.document) -> None:
    """On a page that embeds examples: the titles of their sections, and the sections linking to other examples."""
    env, sections = app.env, _sections(app.env)
    here = [entry for entry in sections.values() if entry[0] == env.docname]
    if not here:
        return
    pages = {seam.page_label(gallery.name, example.name): env.path2doc(str(example.generated_file(".rst")))
             for gallery in examples.galleries(app)
             for example in examples.examples_of(gallery, app.config.sphinx_gallery_conf)}
    for xref in doctree.findall(addnodes.pending_xref):
        page, section = pages.get(xref.get("reftarget", "")), _enclosing_section(xref)
        if page and section is not None and page not in sections:
            sections[page] = entry = [env.docname, section["ids"][0], ""]
            here.append(entry)
    for entry in here:  # the titles as this build's language has them
        entry[2] = doctree.ids[entry[1]].next_node(nodes.title).astext()


def purge(app: Sphinx, env, docname: str) -> None:
    sections, rewrite = _sections(env), getattr(env, _REWRITE, set())
    for page in [page for page, entry in sections.items() if entry[0] == docname]:
        del sections[page]
        rewrite.add(page)
    setattr(env, _REWRITE, rewrite)


def merge(app: Sphinx, env, docnames, other) -> None:
    _sections(env).update({page: entry for page, entry in _sections(other).items() if entry[0] in docnames})


def rewrite_example_pages(app: Sphinx, env) -> list[str]:
    """When the tutorial was read again, its titles may have changed: write the example pages again."""
    pages = getattr(env, _REWRITE, set())
    setattr(env, _REWRITE, set())
    return sorted(pages & env.found_docs)


class BackLink(SphinxPostTransform):
    """Under an example page's title: "Explained step by step in the tutorial: <section>"."""

    default_priority = 900
    formats = ("html",)

    def run(self, **kwargs) -> None:
        entry = _sections(self.env).get(self.env.docname)
        section = self.document.next_node(nodes.section)
        if entry is None or section is None:
            return
        docname, section_id, title = entry
        uri = self.app.builder.get_relative_uri(self.env.docname, docname) + "#" + section_id
        lead = _("Explained step by step in the tutorial:")
        paragraph = nodes.paragraph("", "", classes=["tutorial-backlink"])
        paragraph += nodes.Text(lead if lead.endswith(FULL_WIDTH) else lead + " ")
        paragraph += nodes.reference("", title, refuri=uri, internal=True)
        section.insert(section.index(section.next_node(nodes.title)) + 1, paragraph)
