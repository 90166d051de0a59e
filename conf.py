"""Sphinx configuration for "Learning PyTorch with Examples".

The pages live in docs/, the example scripts in examples_*/ and this file at
the project root; the Makefile runs ``sphinx-build -c . docs _build/html``.
"""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

from gallery_guard import only_example  # noqa: E402
from tutorial_gallery import ExampleOrder  # noqa: E402

# Keep TensorFlow's C++ start-up chatter out of the build log.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# -- Project ------------------------------------------------------------------

project = "Learning PyTorch with Examples"
author = "the Learning PyTorch with Examples authors"
copyright = f"2026, {author}"

# -- General ------------------------------------------------------------------

extensions = [
    "sphinx_gallery.gen_gallery",
    "sphinx_copybutton",
    "notfound.extension",  # sphinx-notfound-page
    "tutorial_gallery",  # docs/_ext/tutorial_gallery.py
    "build_health",  # docs/_ext/build_health.py
    "gallery_guard",  # docs/_ext/gallery_guard.py
    "fast_rebuilds",  # docs/_ext/fast_rebuilds.py
    "example_processes",  # docs/_ext/example_processes.py
    "api_links",  # docs/_ext/api_links.py
    "notebooks",  # docs/_ext/notebooks.py
    "hosting",  # docs/_ext/hosting.py
]
exclude_patterns = ["_build", "_ext", "**.ipynb_checkpoints"]

# -- HTML output --------------------------------------------------------------

html_theme = "sphinx_rtd_theme"
html_title = project
html_static_path = ["docs/_static"]
html_css_files = ["tutorial.css"]
html_favicon = "docs/_static/favicon.svg"
html_theme_options = {"navigation_depth": 2}
html_last_updated_fmt = None  # no build date: rebuilding changes nothing

# A copy button on every code block. Output blocks get none, and prompts
# (">>> ", "... ", "$ ") are left out of what is copied.
copybutton_selector = "div:not(.sphx-glr-script-out):not(.tutorial-output) > div.highlight pre"
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True

# -- Hosting ------------------------------------------------------------------

# The address the site is published at, ending in "/", e.g.
# https://OWNER.github.io/REPOSITORY/. It gives every page its canonical link,
# the 404 page its absolute links and the sitemap its addresses. Empty (the
# default for local builds): no sitemap, and the 404 page assumes the site is
# served from the root of its host. Read the Docs sets its own.
site_url = os.environ.get("SITE_URL") or os.environ.get("READTHEDOCS_CANONICAL_URL", "")
html_baseurl = site_url
notfound_urls_prefix = urlsplit(site_url).path or "/"
notfound_context = {
    "title": "Page not found",
    "body": (
        "<h1>Page not found</h1>"
        "<p>There is no page at this address. It may have been renamed when the "
        "tutorial changed; the menu on the left lists every page there is now.</p>"
    ),
}

# The GitHub repository whose gh-pages branch holds the published site, e.g.
# https://github.com/OWNER/REPOSITORY. When set, every example page and every
# section of the tutorial gets an "Open in Colab" link to the example's
# notebook on that branch. Empty: no Colab links.
repository_url = os.environ.get("REPOSITORY_URL", "")
deployed_branch = "gh-pages"

# -- Links from the examples' code to API documentation ----------------------

# Names such as torch.randn in the examples' code link to these projects'
# documentation, through their intersphinx inventories. The build never
# downloads them: it reads api_inventories/<name>.inv, which
# `make inventories` fills where there is a network. Projects without a
# cached inventory just get no links (the build log says which).
api_docs = {
    "python": "https://docs.python.org/3/",
    "numpy": "https://numpy.org/doc/stable/",
    "torch": "https://docs.pytorch.org/docs/stable/",
    "matplotlib": "https://matplotlib.org/stable/",
    # TensorFlow publishes no Sphinx inventory; GPflow maintains one.
    "tensorflow": (
        "https://www.tensorflow.org/api_docs/python",
        "https://github.com/GPflow/tensorflow-intersphinx/raw/master/tf2_py_objects.inv",
    ),
}
api_inventories = os.environ.get("API_INVENTORIES", "docs/_inventories")

# -- The executed example galleries -------------------------------------------

# The tutorial's order; sphinx-gallery would otherwise sort by code length.
EXAMPLE_ORDER = ExampleOrder(
    (
        "two_layer_net_numpy.py",
        "two_layer_net_tensor.py",
        "two_layer_net_autograd.py",
        "two_layer_net_custom_function.py",
        "tf_two_layer_net.py",
        "two_layer_net_nn.py",
        "two_layer_net_optim.py",
        "two_layer_net_module.py",
        "dynamic_net.py",
        "all_nine_methods.py",
        "accelerator_speedup.py",
    )
)

# Every example runs in a process of its own, forked from the Sphinx process
# once it has imported these libraries (so each example need not).
example_preload = ("numpy", "matplotlib.pyplot", "torch")

# Kill an example's process once it has run this many seconds, and fail the
# build naming it (every example takes a few seconds here). Set
# EXAMPLE_TIME_LIMIT in the environment to change it, 0 for no limit.
example_time_limit = float(os.environ.get("EXAMPLE_TIME_LIMIT", "120"))

# Run this many examples at a time, longest first (all CPUs by default).
# EXAMPLE_WORKERS=1 runs them one after another, each still in its own process.
parallel_examples = int(os.environ.get("EXAMPLE_WORKERS", os.cpu_count() or 1))
# Each example computes on one thread, so that its printed numbers do not
# depend on the machine's CPU count (float32 sums do, in the last digits).
example_threads = 1

# `make html EXAMPLE=dynamic_net` runs only that example, for an author
# working on it. The other pages are still built: from their last run's
# output, or without output if their source changed since.
example_only = os.environ.get("EXAMPLE", "")

# If an example imports a module this Python lacks, the build stops before
# running anything and names the requirements.txt line that installs it.
example_requirements = "requirements.txt"

sphinx_gallery_conf = {
    # Paths are relative to docs/. One gallery per folder, in this order.
    "examples_dirs": [
        "../examples_tensor", "../examples_autograd", "../examples_nn", "../examples_comparison",
    ],
    "gallery_dirs": [
        "auto_examples/tensor", "auto_examples/autograd", "auto_examples/nn", "auto_examples/comparison",
    ],
    "within_subsection_order": EXAMPLE_ORDER,
    # Run every script, not only those named plot_*.py (or just EXAMPLE's).
    "filename_pattern": only_example(example_only) if example_only else r"\.py$",
    # The notebooks' first cell, the same in Colab and in Jupyter.
    "first_notebook_cell": (
        "# Run this cell first: it shows the figures inside the notebook,\n"
        "# in Colab and in Jupyter alike.\n"
        "%matplotlib inline"
    ),
    # A failing example is reported as a warning, with its traceback;
    # gallery_guard then fails the build (exit status 1) naming it.
    # (Left False, sphinx-gallery raises and Sphinx prints a crash report.)
    "only_warn_on_example_error": True,
    # The per-example and whole-site execution-times pages.
    "write_computation_times": True,
}
