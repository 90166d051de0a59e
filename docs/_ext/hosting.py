"""What the published site needs besides its pages: a sitemap, and a checked base URL.

``site_url`` (conf.py, ``SITE_URL``) is the address the site is published
at. When it is set, every build writes ``sitemap.xml`` listing every page
under that address, in a fixed order, whichever pages that build happened to
rewrite; without it, there is none. (sphinx-sitemap lists only the pages written by the current build,
so after an incremental build its sitemap lacks every unchanged page.)
The 404 page itself comes from sphinx-notfound-page, configured in conf.py.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError

SITEMAP_NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"


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
    """Every page the HTML builder publishes, as paths relative to the site's root."""
    return [app.builder.get_target_uri(docname) for docname in sorted(app.env.found_docs)]


def write_sitemap(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    path = Path(app.outdir, "sitemap.xml")
    if not app.config.site_url:
        path.unlink(missing_ok=True)  # from an earlier build that had an address
        return
    ElementTree.register_namespace("", SITEMAP_NAMESPACE)
    urlset = ElementTree.Element(f"{{{SITEMAP_NAMESPACE}}}urlset")
    for page in sitemap_pages(app):
        url = ElementTree.SubElement(urlset, f"{{{SITEMAP_NAMESPACE}}}url")
        ElementTree.SubElement(url, f"{{{SITEMAP_NAMESPACE}}}loc").text = app.config.site_url + page
    ElementTree.indent(urlset)
    data = ElementTree.tostring(urlset, encoding="utf-8", xml_declaration=True) + b"\n"
    if not path.is_file() or path.read_bytes() != data:
        path.write_bytes(data)


def setup(app: Sphinx) -> dict:
    app.add_config_value("site_url", "", "html", str)
    app.connect("config-inited", check_site_url)
    app.connect("build-finished", write_sitemap)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
