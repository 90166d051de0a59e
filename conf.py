"""Sphinx configuration for "Learning PyTorch with Examples": settings only.

The pages are in docs/ (Sphinx's source folder: ``sphinx-build -c . docs ...``,
as the Makefile runs it). Every path in this file is written relative to this
file, the repository's root. Sphinx and sphinx-gallery read a few settings
relative to the source folder instead (locale_dirs, exclude_patterns, the
galleries' folders); those are passed through ``in_source``, so that each path
here still reads from the root. Two extensions of this project (installed into
the virtual environment by requirements.txt) define the settings below that
Sphinx and sphinx-gallery do not, and read their paths relative to this file:
the engine, gallery_runner/ (how the examples run: "The executed example
galleries", "Executing once, anywhere"), and the site's own,
docs/_ext/tutorial_site (everything else).
"""

import os
from urllib.parse import urlsplit

#: Sphinx's source folder, relative to this file (the Makefile's SOURCEDIR).
SOURCE = "docs"


def in_source(path: str) -> str:
    """``path``, relative to this file, as a setting that Sphinx reads relative to the source folder."""
    return os.path.relpath(path, SOURCE)


# -- Project ------------------------------------------------------------------

project = "Learning PyTorch with Examples"
author = "the Learning PyTorch with Examples authors"
copyright = f"2026, {author}"

extensions = [
    "sphinx_gallery.gen_gallery",
    "sphinx_copybutton",
    "notfound.extension",  # sphinx-notfound-page
    "gallery_runner",  # the engine: runs, caches and shards the examples (gallery_runner/)
    "tutorial_site",  # the site's own features (docs/_ext/tutorial_site)
]
exclude_patterns = [in_source("docs/_ext"), in_source("docs/locales"), "**.ipynb_checkpoints"]

# -- Languages ----------------------------------------------------------------

# English; each translation is built after it into _build/html/<language>/ (make html).
language = "en"
translations = {"zh_CN": "简体中文"}
locale_dirs = [in_source("docs/locales")]
gettext_compact = "site"  # one catalog: a sentence on two pages is translated once
gettext_location = False  # the catalogs change only when the text does
# Chinese search keeps these words whole (one a line), in the pages and in the query.
html_search_options = {"words": "docs/locales/zh_CN/search_words.txt"}

# -- HTML output --------------------------------------------------------------

html_theme = "sphinx_rtd_theme"
html_title = project
html_static_path = ["docs/_static"]
templates_path = ["docs/_templates"]
# Readable by everyone (WCAG 2 AA): accessibility.css/.js, _templates/footer.html.
html_css_files = ["tutorial.css", "accessibility.css"]
html_js_files = ["accessibility.js"]
html_show_sphinx = False
html_favicon = "docs/_static/favicon.svg"
html_theme_options = {"navigation_depth": 2}
html_last_updated_fmt = None  # no build date: rebuilding changes nothing
pygments_style = "a11y-high-contrast-light"  # WCAG AA contrast (accessible-pygments)

# A copy button on code blocks, none on printed output; prompts are not copied.
copybutton_selector = "div:not(.sphx-glr-script-out):not(.tutorial-output) > div.highlight pre"
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True

# -- Hosting ------------------------------------------------------------------

# The published address, ending in "/" (canonical links, 404 page, sitemap); empty
# for local builds: no sitemap, 404 links from the host's root.
site_url = os.environ.get("SITE_URL") or os.environ.get("READTHEDOCS_CANONICAL_URL", "")
html_baseurl = site_url
notfound_urls_prefix = urlsplit(site_url).path or "/"

# The GitHub repository whose gh-pages branch holds the site: "Open in Colab" links.
repository_url = os.environ.get("REPOSITORY_URL", "")
deployed_branch = "gh-pages"

# -- Links from the examples' code to API documentation ----------------------

# Read offline from api_inventories/<name>.inv, which `make inventories` fills.
api_docs = {
    "python": "https://docs.python.org/3/",
    "numpy": "https://numpy.org/doc/stable/",
    "torch": "https://docs.pytorch.org/docs/stable/",
    "matplotlib": "https://matplotlib.org/stable/",
    # TensorFlow publishes no Sphinx inventory; GPflow maintains one.
    "tensorflow": ("https://www.tensorflow.org/api_docs/python",
                   "https://github.com/GPflow/tensorflow-intersphinx/raw/master/tf2_py_objects.inv"),
}
api_inventories = os.environ.get("API_INVENTORIES", "docs/_inventories")

# -- The executed example galleries -------------------------------------------

# The tutorial's order within each gallery (sphinx-gallery's would be code length).
example_order = [
    "two_layer_net_numpy.py", "two_layer_net_tensor.py", "two_layer_net_autograd.py",
    "two_layer_net_custom_function.py", "tf_two_layer_net.py", "two_layer_net_nn.py",
    "two_layer_net_optim.py", "two_layer_net_module.py", "dynamic_net.py",
    "all_nine_methods.py", "accelerator_speedup.py",
]
# `make html EXAMPLE=dynamic_net` runs only that example; the others keep their output.
example_only = os.environ.get("EXAMPLE", "")
# Each example runs in a process of its own, forked once these are imported,
# EXAMPLE_WORKERS at a time (all CPUs), on one thread each, so printed numbers
# do not depend on the CPU count (torch._dynamo: what torch.optim imports, 0.8 s).
example_preload = ["numpy", "matplotlib.pyplot", "torch", "torch._dynamo"]
parallel_examples = int(os.environ.get("EXAMPLE_WORKERS", os.cpu_count() or 1))
example_threads = 1
# Seconds before an example's process is killed and the build fails naming it.
example_time_limit = float(os.environ.get("EXAMPLE_TIME_LIMIT", "120"))
# A loss that became nan or inf fails the example (unless it says # sphinx_gallery_allow_nonfinite = True).
nonfinite_output = "fail"
# A process an example leaves running is ended, and the build warns until the example waits for it.
leftover_processes = "warn"
# A printed output longer than this shows its first and last lines on the example's page, and links
# to the whole of it as a text file (the tutorial page cuts at 50 lines: tutorial_site.directives).
example_output_lines = 1000
example_output_characters = 100_000
# A missing module stops the build up front, naming the line that installs it.
example_requirements = "requirements.txt"
# What a visitor installs to run the examples: in the archive of every example,
# and linked from the landing page.
visitor_requirements = "requirements-examples.txt"

# -- Executing once, anywhere -------------------------------------------------

# Each example's results are kept in this cache under a fingerprint of all that
# makes them (source, Python, platform, the settings and code that shape outputs)
# and the versions of the libraries its run imported; any machine can fill it,
# any can read it, and each page names the machine and day its output was made.
# EXECUTION_CACHE=DIR for another folder (the Makefile makes it absolute).
execution_cache = os.environ.get("EXECUTION_CACHE") or "_build/execution-cache"
# The speed example measures the machine it runs on: another machine runs it again.
# On a machine with an accelerator it draws one more line: its label is in the catalogs too.
figure_texts_elsewhere = ["torch, accelerator"]
machine_dependent_examples = [r"/accelerator_speedup\.py$"]
# "auto": run what the cache lacks; "never" (EXECUTE=never): run nothing, and
# fail naming every example without an entry. (`make examples SHARD=i/N` sets
# example_shard: fill the cache with that shard's share, build nothing.)
execute = os.environ.get("EXECUTE") or "auto"

sphinx_gallery_conf = {
    # One gallery per folder, in this order.
    "examples_dirs": [in_source(folder) for folder in
                      ("examples_tensor", "examples_autograd", "examples_nn", "examples_comparison")],
    "gallery_dirs": [in_source(f"docs/auto_examples/{name}") for name in ("tensor", "autograd", "nn", "comparison")],
    # Every script of those folders is an example and runs (sphinx-gallery's default runs plot_*.py only).
    "filename_pattern": r"\.py$",
    # The notebooks' first cell, the same in Colab and in Jupyter.
    "first_notebook_cell": (
        "# Run this cell first: it shows the figures inside the notebook,\n"
        "# in Colab and in Jupyter alike.\n"
        "%matplotlib inline"
    ),
    # A failed example is a warning with its traceback, then an error naming it.
    "only_warn_on_example_error": True,
    "write_computation_times": True,
    # matplotlib's scraper, with alt text that says what each figure shows.
    "image_scrapers": ["tutorial_site.figures.scraper"],
}
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # no TensorFlow start-up chatter
