"""Unit tests of tutorial_site.notebooks."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tutorial_site import notebooks as nb


@pytest.mark.parametrize(("rst", "markdown"), [
    (":func:`torch.randn`", "``torch.randn``"),
    (":py:class:`torch.nn.Linear`", "``torch.nn.Linear``"),
    (":class:`nn.Linear <torch.nn.Linear>`", "``nn.Linear``"),
    (":meth:`~torch.Tensor.backward`", "``backward``"),
    (":ref:`the tutorial <tutorial-label>`", "the tutorial"),
    (":doc:`tutorial`", "tutorial"),
    (":math:`x^2`", ":math:`x^2`"),  # sphinx-gallery writes it as $x^2$
    ("plain ``code`` and *emphasis*", "plain ``code`` and *emphasis*"),
])
def test_roles_become_markdown_friendly_text(rst, markdown):
    assert nb.plain_roles(f"Before {rst} after.") == f"Before {markdown} after."


def test_math_blocks_become_double_dollars():
    text = "Intro.\n\n.. math::\n\n   y = x^2\n   z = 1\n\nAfter.\n"
    assert nb.dollar_math(text) == "Intro.\n\n$$\ny = x^2\nz = 1\n$$\n\nAfter.\n"
    assert nb.dollar_math(".. math:: a + b\n") == "$$\na + b\n$$\n\n"


def test_an_example_result_becomes_a_line_about_the_notebooks_own_cells():
    text = ("Intro, then the result:\n\n.. example-result::\n   :output: 1\n   :alt: A figure,\n"
            "         on two lines.\n\n- A finding.\n")
    assert nb.result_note(text) == ("Intro, then the result:\n\n"
                                   "*(In this notebook, the cells below draw and print it when you run them.)*\n\n- A finding.\n")
    assert nb.result_note("No directive here.\n") == "No directive here.\n"


def test_colab_address_comes_from_the_github_repository():
    config = SimpleNamespace(repository_url="https://github.com/owner/repo.name", deployed_branch="gh-pages")
    assert nb.colab_base(config) == "https://colab.research.google.com/github/owner/repo.name/blob/gh-pages/"
    config.repository_url = "https://github.com/owner/repo.git"
    assert nb.colab_base(config).startswith("https://colab.research.google.com/github/owner/repo/blob/")
    config.repository_url = ""
    assert nb.colab_base(config) == ""


@pytest.mark.parametrize("url", ["https://gitlab.com/owner/repo", "github.com/owner/repo",
                                 "https://github.com/owner", "https://github.com/owner/repo/tree/main"])


def test_a_repository_colab_cannot_open_stops_the_build(url):
    from sphinx.errors import ConfigError

    with pytest.raises(ConfigError, match="REPOSITORY_URL"):
        nb.colab_base(SimpleNamespace(repository_url=url, deployed_branch="gh-pages"))
