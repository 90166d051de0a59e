"""The site's rule on failed examples: a build in which an example fails unexpectedly fails.

sphinx-gallery with ``only_warn_on_example_error`` makes a failure a warning
(which fails the build only with ``-W``); without it, an ExtensionError and
Sphinx's crash report. This site wants neither: every failure is reported
with its traceback and named in one line by the engine (gallery_runner), and
the build's exit status is 1, with or without ``-W``.
"""

from __future__ import annotations

from sphinx.application import Sphinx

from gallery_runner import seam


def fail_on_example_errors(app: Sphinx, exception: Exception | None) -> None:
    """Give the build exit status 1 if an example failed unexpectedly."""
    conf = app.config.sphinx_gallery_conf
    if exception is None and conf.get("plot_gallery") and seam.unexpected_outcomes(conf)[0]:
        app.statuscode = 1
