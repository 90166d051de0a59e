"""What assistive technology needs from the HTML that Sphinx does not write yet.

Sphinx marks each caption of a toctree (the menu's "Tutorial" and "Example
galleries") as a heading, ``role="heading"``, without a level. ARIA 1.2
requires one (axe-core: aria-required-attr), and a screen reader's list of
headings places a heading by its level. Sphinx issue #14030 tracks this; until
it is fixed there, the HTML translator below gives every such heading
``aria-level="2"``, the level that ARIA 1.1 implied for it.

The rest of the site's accessibility is in ``docs/_static/accessibility.css``
and ``.js`` (colours, links, focus, scrolling blocks) and
``docs/_templates/footer.html`` (the footer's landmark).
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.writers.html5 import HTML5Translator

#: The builders that write HTML pages with this translator.
HTML_BUILDERS = ("html", "dirhtml", "singlehtml")
#: The level of a heading whose level is not given (ARIA 1.1).
IMPLIED_HEADING_LEVEL = "2"


class HTMLTranslator(HTML5Translator):
    """Sphinx's HTML5 translator, giving each ``role="heading"`` element a level."""

    def starttag(self, node, tagname, suffix="\n", empty=False, **attributes):
        roles = {str(value).lower() for name, value in attributes.items() if name.lower() == "role"}
        has_level = any(name.lower().replace("_", "-") == "aria-level" for name in attributes)
        if "heading" in roles and not has_level:
            attributes["aria-level"] = IMPLIED_HEADING_LEVEL
        return super().starttag(node, tagname, suffix, empty, **attributes)


def use_translator(app: Sphinx) -> None:
    for builder in HTML_BUILDERS:
        app.set_translator(builder, HTMLTranslator)
