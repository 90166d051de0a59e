"""The examples' notebooks as readers get them: in Jupyter, in Colab.

Every notebook the build wrote is checked for a first cell that works in both
and for markdown cells free of reStructuredText; the "Open in Colab" links
must open exactly the notebook each page offers for download, and appear only
when a repository is configured. (The notebooks' code is run in a fresh
kernel by test_standalone.py.)
"""

from __future__ import annotations

import json
import re

import pytest

from helpers import EXAMPLES, GALLERY, REPOSITORY_URL, TUTORIAL

# reStructuredText that Jupyter would show as it is.
LEFTOVER_RST = {
    "role": re.compile(r"(?<![\w`]):(?:[a-z]+:)?[a-z]+:`"),
    "directive or comment": re.compile(r"^\s*\.\. (?:[\w-]+::|_|\|)", re.M),
    "reST link": re.compile(r"`[^`\n]+`__?(?!\w)"),
    "substitution": re.compile(r"\|\w(?:[\w -]*\w)?\|"),
    "LaTeX environment instead of $$": re.compile(r"\\begin\{"),
}


def leftover_rst(markdown: str) -> list[str]:
    """The reStructuredText constructs left in one markdown cell."""
    found = []
    for kind, pattern in LEFTOVER_RST.items():
        found += [f"{kind}: {m.group(0)!r}" for m in pattern.finditer(markdown)]
    return found


@pytest.mark.parametrize("text", [
    "See :class:`torch.nn.Linear`.", "See :py:func:`torch.randn`.", ":ref:`label`",
    ".. note::\n\n   Careful.", ".. _target:", ".. |name| image:: x.png",
    "`the docs <https://example.org>`_", "`the docs`_", "`anonymous <https://x.org>`__",
    "a |subst| here", "$$\\begin{align}x\\end{align}$$",
])
def test_leftover_rst_is_found(text):
    assert leftover_rst(text)


@pytest.mark.parametrize("text", [
    "Plain text with ``code``, `code` and *emphasis*.", "Math $x^2$ and\n$$\ny = 1\n$$",
    "A [link](https://example.org) and a list:\n\n* one\n* two", "# Title\n\ntime: 12:30, ratio 1:2",
    "A dict {'a': 1} and a pipe a | b.", "| a table | row |\n|---|---|",
])
def test_markdown_is_not_mistaken_for_rst(text):
    assert leftover_rst(text) == []


def notebook(site, folder: str, filename: str) -> dict:
    path = site.project / "docs" / GALLERY[folder] / filename.replace(".py", ".ipynb")
    return json.loads(path.read_text())


@pytest.mark.parametrize(("folder", "filename", "title"), EXAMPLES)
def test_notebook_markdown_has_no_leftover_rst(site, folder, filename, title):
    cells = notebook(site, folder, filename)["cells"]
    markdown = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown"]
    assert markdown[0].lstrip().startswith(f"# {title}")
    problems = [problem for text in markdown for problem in leftover_rst(text)]
    assert not problems, problems


def test_roles_in_an_examples_text_reach_the_notebook_as_code(site):
    # two_layer_net_nn.py's text uses :mod: and :class: roles (links on the page).
    cells = notebook(site, "examples_nn", "two_layer_net_nn.py")["cells"]
    text = "".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")
    assert "The ``torch.nn`` package" in text and "``nn.Linear``" in text


@pytest.mark.parametrize(("folder", "filename", "title"), EXAMPLES)
def test_notebook_starts_with_a_cell_for_colab_and_jupyter_alike(site, folder, filename, title):
    first = notebook(site, folder, filename)["cells"][0]
    assert first["cell_type"] == "code"
    lines = [line.strip() for line in "".join(first["source"]).splitlines() if line.strip()]
    # Comments and the inline-plots magic only: nothing to install, no paths.
    assert lines[-1] == "%matplotlib inline"
    assert all(line.startswith("#") for line in lines[:-1])


# -- Open in Colab ---------------------------------------------------------------------

COLAB = "https://colab.research.google.com/github/example-owner/learning-pytorch/blob/gh-pages/"


@pytest.mark.parametrize(("folder", "filename", "title"), EXAMPLES)
def test_example_page_opens_its_own_notebook_in_colab(site, folder, filename, title):
    assert REPOSITORY_URL == "https://github.com/example-owner/learning-pytorch"
    page = f"{GALLERY[folder]}/{filename.replace('.py', '.html')}"
    soup = site.soup(page)
    links = soup.select("a.colab-link")
    assert len(links) == 1
    # beside the notebook download, as a download button of its own
    assert links[0].find_parent(class_="sphx-glr-download-colab") is not None
    notebook_download = soup.select_one(".sphx-glr-download-jupyter a.download")["href"]
    # the page's download link is relative to the page; Colab's is from the site's root
    assert notebook_download.startswith("../../_downloads/")
    assert links[0]["href"] == COLAB + notebook_download.removeprefix("../../")


@pytest.mark.parametrize(("folder", "filename", "title"), EXAMPLES[:1] + EXAMPLES[-1:])
def test_a_chinese_page_opens_the_chinese_notebook_where_the_published_site_has_it(site, folder, filename, title):
    zh = site.translation("zh_CN")
    page = f"{GALLERY[folder]}/{filename.replace('.py', '.html')}"
    soup = zh.soup(page)
    (link,) = soup.select("a.colab-link")
    notebook_download = soup.select_one(".sphx-glr-download-jupyter a.download")["href"]
    # The whole site is pushed to the branch, the Chinese one under zh_CN/.
    assert link["href"] == COLAB + "zh_CN/" + notebook_download.removeprefix("../../")
    published = site.html / "zh_CN" / notebook_download.removeprefix("../../")
    markdown = "".join("".join(c["source"]) for c in json.loads(published.read_text(encoding="utf-8"))["cells"]
                       if c["cell_type"] == "markdown")
    assert re.search(r"[\u4e00-\u9fff]", markdown)  # the Chinese notebook


def test_every_tutorial_section_opens_its_notebook_in_colab(site):
    soup = site.soup("tutorial.html")
    link_lines = soup.select("p.tutorial-example-links")
    assert len(link_lines) == len(TUTORIAL)
    for line, (_, filename, _) in zip(link_lines, TUTORIAL):
        notebook_download = line.select_one('a.download[href$=".ipynb"]')["href"]
        assert notebook_download.endswith("/" + filename.replace(".py", ".ipynb"))
        colab = line.select("a.colab-link")
        assert [a["href"] for a in colab] == [COLAB + notebook_download]
        assert colab[0].get_text() == "Open in Colab"


def test_no_colab_links_without_a_repository(second_site):
    pages = second_site.pages()
    assert len(pages) > len(TUTORIAL)
    for page in pages:
        html = page.read_text()
        assert "colab-link" not in html and "colab.research.google.com" not in html, page
