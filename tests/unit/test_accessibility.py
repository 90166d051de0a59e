"""Unit tests of tutorial_site.accessibility."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sphinx.writers.html5 import HTML5Translator

from tutorial_site import accessibility


@pytest.fixture
def starttag(monkeypatch):
    """HTMLTranslator.starttag, returning the attributes it hands to Sphinx's."""
    monkeypatch.setattr(HTML5Translator, "starttag",
                        lambda self, node, tagname, suffix="\n", empty=False, **attributes: attributes)
    translator = accessibility.HTMLTranslator.__new__(accessibility.HTMLTranslator)
    return lambda **attributes: translator.starttag(None, "p", "", **attributes)


def test_a_heading_role_gets_the_level_aria_implied(starttag):
    # What Sphinx writes for a toctree's caption.
    assert starttag(CLASS="caption", ROLE="heading") == {"CLASS": "caption", "ROLE": "heading", "aria-level": "2"}


def test_a_given_level_and_other_roles_are_left_alone(starttag):
    assert starttag(ROLE="heading", ARIA_LEVEL="3") == {"ROLE": "heading", "ARIA_LEVEL": "3"}
    assert starttag(role="navigation") == {"role": "navigation"}
    assert starttag(CLASS="caption") == {"CLASS": "caption"}


def test_every_html_builder_uses_the_translator():
    registered = {}
    app = SimpleNamespace(set_translator=lambda name, cls: registered.update({name: cls}))
    accessibility.use_translator(app)
    assert registered == {name: accessibility.HTMLTranslator for name in ("html", "dirhtml", "singlehtml")}
