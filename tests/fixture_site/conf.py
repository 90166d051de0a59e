"""A tiny site for the extension's integration tests: two numpy examples, one gallery each.

It uses tutorial_site the way the real site does, with numpy only, so that a
test build costs a second or two instead of torch's and TensorFlow's imports.
"""

import os
from urllib.parse import urlsplit

# As the real site's conf.py: paths relative to this file; the source folder is docs/.
SOURCE = "docs"


def in_source(path: str) -> str:
    return os.path.relpath(path, SOURCE)


project = "Fixture site"
extensions = ["sphinx_gallery.gen_gallery", "notfound.extension", "gallery_runner", "tutorial_site"]
html_theme = "sphinx_rtd_theme"
html_last_updated_fmt = None

site_url = os.environ.get("SITE_URL", "")
html_baseurl = site_url
notfound_urls_prefix = urlsplit(site_url).path or "/"
repository_url = os.environ.get("REPOSITORY_URL", "")
api_docs = {"python": "https://docs.python.org/3/", "numpy": "https://numpy.org/doc/stable/"}
api_inventories = os.environ.get("API_INVENTORIES", "docs/_inventories")

example_order = ["fit_line.py", "fit_curve.py"]
example_only = os.environ.get("EXAMPLE", "")
example_preload = ["numpy", "matplotlib.pyplot"]
parallel_examples = int(os.environ.get("EXAMPLE_WORKERS", os.cpu_count() or 1))
example_time_limit = float(os.environ.get("EXAMPLE_TIME_LIMIT", "120"))
leftover_processes = "warn"
nonfinite_output = "fail"
example_threads = 1
example_requirements = "requirements.txt"
execution_cache = os.environ.get("EXECUTION_CACHE") or "_build/execution-cache"
execute = os.environ.get("EXECUTE") or "auto"

sphinx_gallery_conf = {
    "examples_dirs": [in_source("examples_line"), in_source("examples_curve")],
    "gallery_dirs": [in_source("docs/auto_examples/line"), in_source("docs/auto_examples/curve")],
    "filename_pattern": r"\.py$",
    "only_warn_on_example_error": True,
    "write_computation_times": True,
    "image_scrapers": ["tutorial_site.figures.scraper"],
}
