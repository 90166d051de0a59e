"""The examples' notebooks: clean markdown, and "Open in Colab" links.

**Markdown without reStructuredText.** sphinx-gallery turns each example's
text cells into the notebook's markdown cells. It converts headings, math,
links and ``:ref:``, but leaves other roles as they are, so a sentence
mentioning :class:`torch.nn.Linear` would show the raw role in Jupyter.
:func:`plain_roles` rewrites every role first: API roles become inline code,
cross-references their title; ``:math:`` is left to sphinx-gallery, which
writes ``$...$``. :func:`dollar_math` writes ``.. math::`` blocks as
``$$...$$``, the form Jupyter and Colab both render. :func:`result_note`
replaces an ``.. example-result::`` (the page's copy of what the build's run
drew and printed) with a line saying the notebook's cells make their own.

**Open in Colab.** With ``repository_url`` set to a GitHub repository (conf.py,
``REPOSITORY_URL``), each example page gets an "Open in Colab" button next to
its downloads, and each section of the tutorial a link beside its own. Both
open the notebook the site offers for download, as published on
``deployed_branch`` of that repository: the built HTML is pushed there, so
the notebook lives at ``_downloads/<hash>/<name>.ipynb`` on that branch,
exactly where the site's own download link points. Every notebook runs on
its own (tests/test_standalone.py), so every one gets a link.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError

from gallery_runner import seam

from .translations import _, is_translation, language_prefix

# -- Markdown cells -------------------------------------------------------------

# :role:`text`, :domain:role:`text`, `text <target>` inside; not :math:.
_ROLE = re.compile(r":(?!math:)(?:[a-z]+:)?(?P<role>[a-z]+):`(?P<body>[^`]+)`")
_CODE_ROLES = {"func", "meth", "class", "mod", "attr", "obj", "data", "exc", "const", "code", "file", "samp"}


def _plain(match: re.Match) -> str:
    role, body = match["role"], match["body"].strip()
    titled = re.fullmatch(r"(?P<title>.+?)\s*<(?P<target>[^<>]+)>", body, re.S)
    if titled:
        text = titled["title"]
    else:
        text = body.lstrip("!")
        if text.startswith("~"):  # :func:`~torch.randn` shows "randn"
            text = text[1:].rsplit(".", 1)[-1]
    return f"``{text}``" if role in _CODE_ROLES else text


def plain_roles(text: str) -> str:
    """reST text with every role but ``:math:`` rewritten as plain markdown-friendly text."""
    return _ROLE.sub(_plain, text)


# A ``.. math::`` directive and its indented body.
_MATH = re.compile(r"^\.\. math::[ \t]*(?P<first>.*)\n(?P<body>(?:[ \t]*\n|[ \t]+\S.*\n?)*)", re.M)


def dollar_math(text: str) -> str:
    """``.. math::`` blocks as ``$$ ... $$`` (sphinx-gallery writes ``\\begin{align}``)."""

    def block(match: re.Match) -> str:
        lines = [match["first"], *match["body"].splitlines()]
        formula = "\n".join(line.strip() for line in lines if line.strip())
        return f"$$\n{formula}\n$$\n\n"

    return _MATH.sub(block, text)


# An ``.. example-result::`` directive (see .directives) and its indented options.
_RESULT = re.compile(r"^\.\. example-result::.*\n(?:[ \t]+\S.*\n)*", re.M)


def result_note(text: str) -> str:
    """An ``example-result`` directive as a line saying where the notebook shows the result.

    On the page it shows what this build's run produced; a notebook produces
    its own figure and table when its cells run.
    """
    note = _("(In this notebook, the cells below draw and print it when you run them.)")
    return _RESULT.sub(lambda _found: f"*{note}*\n", text)


def no_escaped_spaces(text: str) -> str:
    """reST's escaped space (``\\ ``, markup right beside a Chinese character) is nothing; markdown would show it."""
    return re.sub(r"(?<!\\)\\ ", "", text)


def for_jupyter(text: str) -> str:
    """A text cell's reST, ready for sphinx-gallery to make markdown of (see :func:`.seam.convert_notebook_text_with`)."""
    return result_note(dollar_math(plain_roles(no_escaped_spaces(text))))


# -- Open in Colab -----------------------------------------------------------------

_GITHUB = re.compile(r"https://github\.com/(?P<owner>[\w.-]+)/(?P<name>[\w.-]+?)(?:\.git)?/?")


def colab_base(config: Config) -> str:
    """The Colab address that the published site's files are under, or ``""``."""
    if not config.repository_url:
        return ""
    repo = _GITHUB.fullmatch(config.repository_url)
    if not repo:
        raise ConfigError(
            f"repository_url (REPOSITORY_URL) must be a GitHub repository such as "
            f"https://github.com/OWNER/REPOSITORY, for Colab to open its notebooks; "
            f"got {config.repository_url!r}"
        )
    return (
        f"https://colab.research.google.com/github/{repo['owner']}/{repo['name']}"
        f"/blob/{config.deployed_branch}/"
    )


def check_repository_url(app: Sphinx, config: Config) -> None:
    colab_base(config)  # fail at start-up, not halfway through writing


def tag_colab(app: Sphinx, config: Config) -> None:
    """Set the tag ``colab`` where the pages have "Open in Colab" links (``.. only:: colab``)."""
    if colab_base(config):
        app.tags.add("colab")


def _colab_link(url: str) -> nodes.reference:
    return nodes.reference("", _("Open in Colab"), refuri=url, classes=["colab-link"])


def add_colab_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Put an "Open in Colab" link beside every download link to an example's notebook."""
    base = colab_base(app.config)
    if not base:
        return
    # A translation's pages and downloads are published under <language>/ (its notebooks are its own).
    base += language_prefix(app.config.language) if is_translation(app.config) else ""
    for download in list(doctree.findall(addnodes.download_reference)):
        filename = download.get("filename", "")
        if not filename.endswith(".ipynb"):
            continue
        link = _colab_link(f"{base}_downloads/{filename}")
        paragraph = download.parent
        box = paragraph.parent
        if seam.NOTEBOOK_DOWNLOAD_CLASS in box.get("classes", []):
            # An example page's footer: a button of its own, after the notebook's.
            button = nodes.container(classes=seam.download_button_classes("colab"))
            button += nodes.paragraph("", "", link)
            box.parent.insert(box.parent.index(box) + 1, button)
        else:
            # The tutorial's line of links under each example.
            at = paragraph.index(download) + 1
            paragraph.insert(at, nodes.Text(" · "))
            paragraph.insert(at + 1, link)
