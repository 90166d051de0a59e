"""Keep builds that run no example cheap.

sphinx-gallery imports ``matplotlib.pyplot`` when the configuration is read,
to switch matplotlib to its Agg backend before any example draws. That import
costs about a second here: half of a rebuild in which nothing changed. When
no example runs, nothing needs matplotlib.

This extension defers it: until matplotlib is actually imported, it only sets
``MPLBACKEND=agg``, which makes matplotlib start with Agg whenever it is
imported. sphinx-gallery still switches to Agg and checks the backend before
each example it runs, with its own (unchanged) reset hook.
"""

from __future__ import annotations

import os
import sys

import sphinx_gallery.gen_gallery as gen_gallery
from sphinx.application import Sphinx
from sphinx.config import Config

_eager_import = gen_gallery._import_matplotlib


def import_matplotlib_lazily():
    """Stand-in for sphinx-gallery's ``_import_matplotlib`` at configuration time."""
    if "matplotlib" in sys.modules:
        return _eager_import()  # already there: let sphinx-gallery check it now
    os.environ["MPLBACKEND"] = "agg"
    return None, None


def defer_matplotlib(app: Sphinx, config: Config) -> None:
    gen_gallery._import_matplotlib = import_matplotlib_lazily


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinx_gallery.gen_gallery")
    # Before sphinx-gallery fills in its configuration (priority 10).
    app.connect("config-inited", defer_matplotlib, priority=5)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
