"""Unit tests of tutorial_site.cut_output: the engine's words for a cut output, in the page's language."""

from __future__ import annotations

import pytest

from gallery_runner import printed
from tutorial_site import cut_output

FACTS = printed.facts({"lines": 200_000, "characters": 5_399_999, "head": 750, "tail": 250}, "x.output-1.txt")


@pytest.mark.parametrize("form", ["gap", "note", "note-cut-short"])
def test_the_sites_english_is_the_engines(form):
    """An English page reads the same whether the site or the engine words it; the link stays a placeholder."""
    said = cut_output.words(None, form, FACTS)
    assert said == printed.english(form, FACTS)
    assert (printed.LINK in said) == (form != "gap")


def test_the_numbers_are_said_with_their_thousands_separated():
    assert cut_output.words(None, "gap", FACTS) == "[... 199,000 lines not shown here ...]"
    assert "of its 200,000 lines (5,399,999 characters), the first 750 and the last 250" in \
        cut_output.words(None, "note", FACTS)
