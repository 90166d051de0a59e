"""What the published site needs besides its pages: sitemap, offline pages, API links.

**A sitemap, and a checked address.** ``site_url`` (conf.py, ``SITE_URL``) is
the address the site is published at. When it is set, every build writes
``sitemap.xml`` listing every page under that address, in a fixed order,
whichever pages that build happened to rewrite, in every language, each with
its translations; without it, there is none.
(sphinx-sitemap lists only the pages written by the current build, so after
an incremental build its sitemap lacks every unchanged page.) The 404 page
itself comes from sphinx-notfound-page, from docs/404.rst.

**Nothing loaded from other hosts.** sphinx-gallery decorates its
execution-times tables with Bootstrap and DataTables fetched from CDNs; that
raw HTML is dropped, and the tables render as plain tables.

**API links, offline.** sphinx-gallery turns a name such as ``torch.randn`` in
an example's code into a link when an intersphinx inventory lists it.
Inventories normally come from the network at build time; this build reads
them from a cache folder instead:

``api_docs`` (conf.py)
    ``{name: documentation URL}``, or ``{name: (documentation URL, inventory
    URL)}`` where the inventory does not live at ``URL/objects.inv``.
``api_inventories`` (conf.py)
    The cache folder, relative to conf.py's folder: one ``<name>.inv`` per
    project. ``make inventories`` (``tools/fetch_inventories.py``) fills it
    where there is a network.

:func:`use_cached_inventories` sets ``intersphinx_mapping`` to the projects
whose inventory is cached, each read from its local file, and says in one
line of the log which ones have none. A missing inventory only means fewer
links: it is not a warning, so ``-W`` builds still pass.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError
from sphinx.util import logging

from gallery_runner import seam

from . import translations

logger = logging.getLogger(__name__)

# -- Sitemap ------------------------------------------------------------------------

SITEMAP_NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NAMESPACE = "http://www.w3.org/1999/xhtml"  # a page's other languages, as search engines read them


def check_site_url(app: Sphinx, config: Config) -> None:
    url = config.site_url
    if not url:
        return
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or not url.endswith("/"):
        raise ConfigError(
            f"site_url (SITE_URL) must be the site's full address ending in '/', "
            f"such as https://OWNER.github.io/REPOSITORY/; got {url!r}"
        )


def sitemap_pages(app: Sphinx) -> list[str]:
    """Every page the HTML builder publishes, as paths relative to its language's root (not the 404 page)."""
    not_found = getattr(app.config, "notfound_pagename", "404")
    return [app.builder.get_target_uri(docname) for docname in sorted(app.env.found_docs) if docname != not_found]


def write_sitemap(app: Sphinx, exception: Exception | None) -> None:
    """The sitemap of every language, with each page's translations; written by the English build."""
    if exception is not None or app.builder.format != "html" or translations.is_translation(app.config):
        return
    path = Path(app.outdir, "sitemap.xml")
    if not app.config.site_url:
        path.unlink(missing_ok=True)  # from an earlier build that had an address
        return
    ElementTree.register_namespace("", SITEMAP_NAMESPACE)
    ElementTree.register_namespace("xhtml", XHTML_NAMESPACE)
    urlset = ElementTree.Element(f"{{{SITEMAP_NAMESPACE}}}urlset")
    languages = translations.languages(app.config)
    for page in sitemap_pages(app):
        addresses = {language: app.config.site_url + translations.language_prefix(language) + page
                     for language in languages}
        for language in languages:
            url = ElementTree.SubElement(urlset, f"{{{SITEMAP_NAMESPACE}}}url")
            ElementTree.SubElement(url, f"{{{SITEMAP_NAMESPACE}}}loc").text = addresses[language]
            for other in languages if len(languages) > 1 else ():
                ElementTree.SubElement(url, f"{{{XHTML_NAMESPACE}}}link", rel="alternate",
                                       hreflang=translations.hreflang(other), href=addresses[other])
    ElementTree.indent(urlset)
    data = ElementTree.tostring(urlset, encoding="utf-8", xml_declaration=True) + b"\n"
    if not path.is_file() or path.read_bytes() != data:
        path.write_bytes(data)


# -- Offline execution-times pages ----------------------------------------------------


def keep_times_page_offline(app: Sphinx, docname: str, source: list[str]) -> None:
    """Drop the CDN-loaded table scripts from sphinx-gallery's execution-times pages."""
    if docname.rsplit("/", 1)[-1] != seam.TIMES_PAGE:
        return
    text = seam.without_remote_assets(source[0])
    if "://" in text:
        logger.warning(
            "%s still refers to another host after removing sphinx-gallery's "
            "table scripts; has sphinx-gallery changed its format?",
            docname,
            location=docname,
        )
    source[0] = text


# -- API links from cached inventories -------------------------------------------------


def documentation_and_inventory(entry: str | tuple[str, str]) -> tuple[str, str]:
    """(documentation URL, inventory URL) of one ``api_docs`` entry."""
    if isinstance(entry, str):
        return entry, entry.rstrip("/") + "/objects.inv"
    documentation, inventory = entry
    return documentation, inventory


def use_cached_inventories(app: Sphinx, config: Config) -> None:
    # Relative to conf.py's folder, the repository's root (an absolute path stays).
    folder = Path(app.confdir, config.api_inventories)
    mapping, missing = {}, []
    for name, entry in config.api_docs.items():
        documentation, _ = documentation_and_inventory(entry)
        cached = folder / f"{name}.inv"
        if cached.is_file():
            mapping[name] = (documentation, str(cached))
        else:
            missing.append(name)
    config.intersphinx_mapping = mapping
    if missing:
        logger.info(
            "API links: no cached inventory for %s in %s, so their names are not "
            "linked (run `make inventories` where there is a network)",
            ", ".join(missing),
            os.path.relpath(folder),
        )
