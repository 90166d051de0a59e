"""The site's Sphinx extension: the tutorial's pages built from its executed examples, in every language.

It uses the engine, ``gallery_runner`` (listed before it in conf.py's
``extensions``), which runs, caches and shares out the examples; this package
adds what is this site's own. One module per job:

``ordering``    the tutorial's order of the examples (``example_order``)
``strictness``  a build in which an example fails unexpectedly fails, with or without -W
``directives``  tutorial-example, example-result, example-thumbnails, examples-archive
``archive``     the zip of every example, with what a visitor installs
``backlinks``   each example page links back to the tutorial section that explains it
``notebooks``   markdown cells without reST, and "Open in Colab" links
``figures``     alt text that says what each figure shows (an image scraper)
``accessibility`` heading levels that Sphinx's HTML lacks
``publishing``  sitemap, offline execution-times pages, API links from cached inventories
``translations`` the site in other languages from one execution: catalogs, switcher, checks
``catalogs``    the translation catalogs checked, line by line and message by message, before a build reads them
``code_translation`` the examples' comments, docstrings and text cells in the page's language; their downloads
``provenance``  where each example ran, in the page's language, with the accelerator its torch used
``cut_output``  a printed output too long for its page, said in the page's language

:func:`setup` registers the configuration values, the directives, and every
event handler from one table, :data:`hooks`, in the order they run.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

import gallery_runner
from gallery_runner import fingerprint, machine, seam

from . import (accessibility, archive, backlinks, catalogs, code_translation, cut_output, directives, figures,
               notebooks, ordering, provenance, publishing, strictness, translations)

#: The engine, which conf.py lists in ``extensions`` before this extension.
ENGINE = gallery_runner.__name__

# -- Priorities -------------------------------------------------------------------------
# Sphinx calls the handlers of one event in increasing priority (default 500).
# The fixed points are other extensions' handlers; ours are placed around them.

#: sphinx-gallery fills in sphinx_gallery_conf's defaults at config-inited 10.
BEFORE_GALLERY_DEFAULTS = 5
#: intersphinx checks intersphinx_mapping at config-inited 800.
BEFORE_INTERSPHINX = 700
#: sphinx-gallery generates the galleries at builder-inited 500 (from the engine's runs).
AFTER_GALLERY = 600
#: The translated downloads are made of the English ones, the examples archive included.
TRANSLATE_DOWNLOADS = 610
#: build-finished: the exit status is set before the engine names the failures (600) and prunes (700).
FAIL_ON_EXAMPLE_ERRORS = 590
DEFAULT = 500


def hooks() -> list[tuple[str, object, int]]:
    """Every event handler of the site as (event, handler, priority), in the order they run."""
    return [
        # Reading the configuration.
        ("config-inited", ordering.apply_example_order, BEFORE_GALLERY_DEFAULTS),
        ("config-inited", publishing.check_site_url, DEFAULT),
        ("config-inited", notebooks.check_repository_url, DEFAULT),
        ("config-inited", notebooks.tag_colab, DEFAULT),
        ("config-inited", archive.check_visitor_requirements, DEFAULT),
        ("config-inited", translations.check_language, DEFAULT),
        ("config-inited", translations.publish_under_language, DEFAULT),
        ("config-inited", catalogs.check_catalogs, DEFAULT),
        ("config-inited", translations.load_own_messages, DEFAULT),
        ("config-inited", translations.resolve_search_words, DEFAULT),
        ("config-inited", publishing.use_cached_inventories, BEFORE_INTERSPHINX),
        # (The engine runs the examples; sphinx-gallery assembles the galleries.)
        ("builder-inited", archive.write_examples_archive, AFTER_GALLERY),
        ("builder-inited", code_translation.write_translated_downloads, TRANSLATE_DOWNLOADS),
        # Reading and writing the pages.
        ("env-get-updated", backlinks.rewrite_example_pages, DEFAULT),
        ("env-purge-doc", backlinks.purge, DEFAULT),
        ("doctree-read", backlinks.note_titles_and_references, DEFAULT),
        ("env-merge-info", backlinks.merge, DEFAULT),
        ("source-read", publishing.keep_times_page_offline, DEFAULT),
        ("example-provenance-text", provenance.words, DEFAULT),
        ("example-output-text", cut_output.words, DEFAULT),
        ("doctree-resolved", notebooks.add_colab_links, DEFAULT),
        ("doctree-resolved", translations.restore_alt_texts, DEFAULT),
        ("html-page-context", translations.add_language_links, DEFAULT),
        ("html-page-context", translations.name_the_site, DEFAULT),
        # The end.
        ("build-finished", publishing.write_sitemap, DEFAULT),
        ("build-finished", code_translation.extract, DEFAULT),
        ("build-finished", strictness.fail_on_example_errors, FAIL_ON_EXAMPLE_ERRORS),
    ]


def setup(app: Sphinx) -> dict:
    if ENGINE not in app.extensions:
        raise ExtensionError(
            f"tutorial_site uses the engine {ENGINE}: list {ENGINE!r} in conf.py's extensions, before 'tutorial_site'")
    app.setup_extension("sphinx.ext.intersphinx")

    # The tutorial's order of the examples (see .ordering) and what a visitor installs (see .archive).
    app.add_config_value("example_order", (), "env", (tuple, list))
    app.add_config_value("visitor_requirements", "", "env", str)
    # Publishing (see .publishing and .notebooks).
    app.add_config_value("site_url", "", "html", str)
    app.add_config_value("repository_url", "", "html", str)
    app.add_config_value("deployed_branch", "gh-pages", "html", str)
    app.add_config_value("api_docs", {}, "env", dict)
    app.add_config_value("api_inventories", "docs/_inventories", "env", str)
    # Translations (see .translations): {language: its name in that language}.
    app.add_config_value("translations", {}, "html", dict)
    # Texts an example draws on its figures only on some machines (see .code_translation.extract).
    app.add_config_value("figure_texts_elsewhere", (), "env", (tuple, list))

    app.add_directive("tutorial-example", directives.TutorialExampleDirective)
    app.add_directive("example-result", directives.ExampleResultDirective)
    app.add_directive("example-thumbnails", directives.ExampleThumbnailsDirective)
    app.add_directive("examples-archive", directives.ExamplesArchiveDirective)
    accessibility.use_translator(app)
    app.add_transform(figures.AltTexts)
    app.add_post_transform(backlinks.BackLink)
    app.add_transform(translations.BuildTimeTexts)
    app.add_transform(translations.CheckTranslated)
    app.add_transform(translations.TranslateThumbnails)
    app.add_transform(translations.GlossaryInReadersOrder)
    app.add_transform(code_translation.TranslateCode)
    app.add_search_language(translations.chinese_search())

    # Notebooks get clean markdown; a title or alt text is text, not markup.
    seam.convert_notebook_text_with(notebooks.for_jupyter)
    fingerprint.register_output_code(notebooks.__name__, "the notebook rewriting")
    machine.add_probe(provenance.torch_accelerator)
    seam.escape_thumbnail_text()
    seam.escape_figure_alt_text(app)
    # The site's directives shape every page: a change to them reads every page again.
    app.gallery_runner_health.watch(Path(__file__).parent)

    for event, handler, priority in hooks():
        app.connect(event, handler, priority=priority)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
