"""Unit tests of tutorial_site's setup(): one table connects every hook, in order; the engine comes first."""

from __future__ import annotations

import pytest
from sphinx.errors import ExtensionError

import gallery_runner
import tutorial_site
from recording_app import RecordingApp, handlers_in_order


def site_app() -> RecordingApp:
    """An app on which the engine has been set up, as conf.py's extensions list does first."""
    app = RecordingApp()
    gallery_runner.setup(app)
    app.extensions.append("gallery_runner")
    for registered in (app.connected, app.directives, app.transforms):  # what the site adds is what is left
        registered.clear()
    return app


def test_setup_connects_the_hook_table_and_nothing_else():
    app = site_app()
    metadata = tutorial_site.setup(app)
    assert metadata["parallel_read_safe"] and metadata["parallel_write_safe"]
    assert app.connected == tutorial_site.hooks()
    assert app.extensions[-1] == "sphinx.ext.intersphinx"
    assert set(app.directives) == {"tutorial-example", "example-result", "example-thumbnails", "examples-archive"}
    assert app.nodes["imgsgnode"][0] and set(app.nodes["imgsgnode"][1]) == {"html", "latex"}  # alt text escaped
    assert {"example_order", "visitor_requirements", "site_url", "api_docs"} <= set(app.config_values)
    # Its defaults are right for a conf.py at the repository's top.
    assert app.config_defaults["api_inventories"] == "docs/_inventories"
    assert app.translators["html"] is tutorial_site.accessibility.HTMLTranslator
    translations = tutorial_site.translations
    assert app.transforms == [tutorial_site.figures.AltTexts, tutorial_site.backlinks.BackLink,
                              translations.BuildTimeTexts, translations.CheckTranslated,
                              translations.TranslateThumbnails, translations.GlossaryInReadersOrder,
                              tutorial_site.code_translation.TranslateCode]
    assert app.search_languages["zh"].__name__ == "ChineseSearch"  # Sphinx's Chinese search, mended


def test_the_site_needs_the_engine_listed_before_it():
    with pytest.raises(ExtensionError, match="list 'gallery_runner' in conf.py's extensions, before 'tutorial_site'"):
        tutorial_site.setup(RecordingApp())


def test_the_table_lists_each_events_handlers_in_the_order_they_run():
    runs = handlers_in_order(tutorial_site.hooks())
    # After sphinx-gallery's pass, which the engine feeds.
    assert gallery_runner.RUN_EXAMPLES < gallery_runner.GALLERY < tutorial_site.AFTER_GALLERY
    # The translated zips are made of the English ones, the examples archive (written after the galleries) included.
    assert runs.index("write_examples_archive") < runs.index("write_translated_downloads")
    # The site's exit status is set before the engine names the failed examples.
    assert tutorial_site.FAIL_ON_EXAMPLE_ERRORS < gallery_runner.REPORT_FAILURES
