"""Link names in the examples' code to their API documentation, offline.

sphinx-gallery turns a name such as ``torch.randn`` in an example's code into
a link when an intersphinx inventory lists it. Inventories normally come from
the network at build time; this site's build never uses the network, so they
are read from a cache folder instead:

``api_docs`` (conf.py)
    ``{name: documentation URL}``, or ``{name: (documentation URL, inventory
    URL)}`` where the inventory does not live at ``URL/objects.inv``.
``api_inventories`` (conf.py)
    The cache folder, relative to the folder of conf.py: one ``<name>.inv`` per
    project. ``make inventories`` (``tools/fetch_inventories.py``) fills it
    where there is a network.

At ``config-inited`` this extension sets ``intersphinx_mapping`` to the
projects whose inventory is cached, each read from its local file, and says
in one line of the log which ones have none. A missing inventory only means
fewer links: it is not a warning, so ``-W`` builds still pass.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

logger = logging.getLogger(__name__)


def documentation_and_inventory(entry: str | tuple[str, str]) -> tuple[str, str]:
    """(documentation URL, inventory URL) of one ``api_docs`` entry."""
    if isinstance(entry, str):
        return entry, entry.rstrip("/") + "/objects.inv"
    documentation, inventory = entry
    return documentation, inventory


def use_cached_inventories(app: Sphinx, config: Config) -> None:
    # Relative to conf.py's folder, the project root (an absolute path stays).
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
            config.api_inventories,
        )


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinx.ext.intersphinx")
    app.add_config_value("api_docs", {}, "env", dict)
    app.add_config_value("api_inventories", "docs/_inventories", "env", str)
    # Before intersphinx checks intersphinx_mapping (priority 800).
    app.connect("config-inited", use_cached_inventories, priority=700)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
