"""The site's Sphinx extension: executed examples that never lie, and the pages built from them.

One module per job:

``sources``     the examples' folders and files checked first; what sphinx-gallery cannot build is left out
``examples``    which galleries and examples exist, their order, selection, generated files
``execution``   runs each example in a process of its own; threads, time limit, import check; shards
``processes``   each example in a process group of its own; what it leaves running is ended
``terminal``    printed output as a terminal shows it: no raw control characters
``fingerprint`` what an example's outputs depend on: source, packages, Python, settings, code
``cache``       the execution cache: results by fingerprint, verified, written atomically
``failures``    words every way an example can fail, and fails the build naming it
``health``      a build after a failed, interrupted or damaged one reads and writes everything
``pruning``     removes what belonged to removed examples and pages
``directives``  tutorial-example, example-result, example-thumbnails, examples-archive
``notebooks``   markdown cells without reST, and "Open in Colab" links
``figures``     alt text that says what each figure shows (an image scraper)
``accessibility`` heading levels that Sphinx's HTML lacks
``publishing``  sitemap, offline execution-times pages, API links from cached inventories
``translations`` the site in other languages from one execution: catalogs, switcher, checks
``code_translation`` the examples' comments, docstrings and text cells in the page's language; their downloads
``crashes``     a clear message, not Sphinx's crash report, for what the project foresees (a full disk)
``seam``        the only module that touches sphinx-gallery's internals (version-checked)

:func:`setup` registers the configuration values, the directives, and every
event handler from one table, :data:`HOOKS`, in the order they run.
"""

from __future__ import annotations

import os

from sphinx.application import Sphinx

from . import (accessibility, backlinks, cache, code_translation, crashes, directives, examples, execution, failures, figures, fingerprint,  # noqa: F401
               health, notebooks, processes, publishing, pruning, seam, sources, terminal, translations)

# -- Priorities -------------------------------------------------------------------------
# Sphinx calls the handlers of one event in increasing priority (default 500).
# The fixed points are other extensions' handlers; ours are placed around them.

FIRST = 1
#: sphinx-gallery fills in sphinx_gallery_conf's defaults at config-inited 10.
BEFORE_GALLERY_DEFAULTS = 5
#: intersphinx checks intersphinx_mapping at config-inited 800.
BEFORE_INTERSPHINX = 700
#: sphinx-gallery generates the galleries at builder-inited 500, running the
#: examples; it prints its summary of failed examples at build-finished 500.
GALLERY = 500
CHECK_SOURCES, CHECK_NAMES, CHECK_SELECTION, CHECK_IMPORTS = 370, 380, 390, 400
PRUNE_REMOVED_EXAMPLES = 450
RUN_EXAMPLES = 480
AFTER_GALLERY = 600
#: The translated downloads are made of the English ones, the examples archive included.
TRANSLATE_DOWNLOADS = 610
#: build-finished: the exit status is set first, pruning reads it, the build's note is written last.
FAIL_ON_EXAMPLE_ERRORS, PRUNE_STALE_OUTPUT, LAST = 600, 700, 900
DEFAULT = 500


def hooks(build_health: health.BuildHealth) -> list[tuple[str, object, int]]:
    """Every event handler of the site as (event, handler, priority), in the order they run."""
    return [
        # Reading the configuration.
        ("config-inited", seam.defer_matplotlib, BEFORE_GALLERY_DEFAULTS),
        ("config-inited", examples.configure, BEFORE_GALLERY_DEFAULTS),
        ("config-inited", execution.limit_threads, DEFAULT),
        ("config-inited", failures.check_names_not_paths, DEFAULT),
        ("config-inited", publishing.check_site_url, DEFAULT),
        ("config-inited", notebooks.check_repository_url, DEFAULT),
        ("config-inited", notebooks.tag_colab, DEFAULT),
        ("config-inited", directives.check_visitor_requirements, DEFAULT),
        ("config-inited", translations.check_language, DEFAULT),
        ("config-inited", translations.publish_under_language, DEFAULT),
        ("config-inited", translations.load_own_messages, DEFAULT),
        ("config-inited", translations.resolve_search_words, DEFAULT),
        ("config-inited", publishing.use_cached_inventories, BEFORE_INTERSPHINX),
        # Before any example runs: note that a build started, check, prune, run.
        ("builder-inited", build_health.start, FIRST),
        ("builder-inited", sources.check_sources, CHECK_SOURCES),
        ("builder-inited", failures.check_example_names, CHECK_NAMES),
        ("builder-inited", examples.check_example_selection, CHECK_SELECTION),
        ("builder-inited", execution.check_example_imports, CHECK_IMPORTS),
        ("builder-inited", pruning.prune_removed_examples, PRUNE_REMOVED_EXAMPLES),
        ("builder-inited", execution.run_pending_examples, RUN_EXAMPLES),
        ("builder-inited", execution.take_over_parallel, RUN_EXAMPLES + 1),
        # (sphinx-gallery assembles the galleries from those runs here.)
        ("builder-inited", execution.give_back_parallel, GALLERY + 1),
        ("builder-inited", directives.write_examples_archive, AFTER_GALLERY),
        ("builder-inited", code_translation.write_translated_downloads, TRANSLATE_DOWNLOADS),
        # Reading and writing the pages.
        ("env-get-outdated", build_health.outdated, DEFAULT),
        ("env-get-outdated", pruning.note_added_or_removed, DEFAULT),
        ("env-get-updated", pruning.rewrite_everything_if_documents_changed, DEFAULT),
        ("env-get-updated", backlinks.rewrite_example_pages, DEFAULT),
        ("env-purge-doc", backlinks.purge, DEFAULT),
        ("doctree-read", backlinks.note_titles_and_references, DEFAULT),
        ("env-merge-info", backlinks.merge, DEFAULT),
        ("source-read", publishing.keep_times_page_offline, DEFAULT),
        ("doctree-resolved", notebooks.add_colab_links, DEFAULT),
        ("doctree-resolved", translations.restore_alt_texts, DEFAULT),
        ("html-page-context", translations.add_language_links, DEFAULT),
        ("html-page-context", translations.name_the_site, DEFAULT),
        # The end: (sphinx-gallery's failure summary at 500), exit status, prune, note.
        ("build-finished", publishing.write_sitemap, DEFAULT),
        ("build-finished", code_translation.extract, DEFAULT),
        ("build-finished", failures.fail_on_example_errors, FAIL_ON_EXAMPLE_ERRORS - 1),
        ("build-finished", failures.report_example_errors, FAIL_ON_EXAMPLE_ERRORS),
        ("build-finished", sources.fail_if_left_out, FAIL_ON_EXAMPLE_ERRORS),
        ("build-finished", pruning.prune_stale_output, PRUNE_STALE_OUTPUT),
        ("build-finished", build_health.finish, LAST),
    ]


def setup(app: Sphinx) -> dict:
    crashes.install(app)  # first: a foreseeable error from here on is a clear message, not a crash report
    seam.check_version()
    app.setup_extension(seam.EXTENSION)
    app.setup_extension("sphinx.ext.intersphinx")

    # Examples (see .examples and .execution).
    app.add_config_value("example_order", (), "env", (tuple, list))
    app.add_config_value("example_only", "", "", str)
    app.add_config_value("example_requirements", "requirements.txt", "env", str)
    app.add_config_value("visitor_requirements", "", "env", str)
    app.add_config_value("parallel_examples", os.cpu_count() or 1, "", int)
    app.add_config_value("example_threads", 1, "", int)
    app.add_config_value("example_time_limit", 120.0, "", (int, float))
    # What an example leaves running is ended; "warn": and it warns, and runs again until it waits.
    app.add_config_value("leftover_processes", "end", "", str)
    # The execution cache and how examples are executed (see .execution, .cache, .fingerprint):
    # execute "auto" runs what the cache lacks, "never" runs nothing; example_shard "i/N" fills the cache.
    app.add_config_value("execution_cache", "../_build/execution-cache", "", str)
    app.add_config_value("execute", "auto", "", str)
    app.add_config_value("example_shard", "", "", str)
    app.add_config_value("example_plan", "", "", str)  # make examples PLAN=_build/plan/plan.json
    app.add_config_value("example_preload", ("numpy", "matplotlib.pyplot", "torch", "torch._dynamo"), "",
                         (tuple, list))
    # Publishing (see .publishing and .notebooks).
    app.add_config_value("site_url", "", "html", str)
    app.add_config_value("repository_url", "", "html", str)
    app.add_config_value("deployed_branch", "gh-pages", "html", str)
    app.add_config_value("api_docs", {}, "env", dict)
    app.add_config_value("api_inventories", "_inventories", "env", str)
    # Translations (see .translations): {language: its name in that language}.
    app.add_config_value("translations", {}, "html", dict)

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

    # No example ever runs in the Sphinx process; notebooks get clean markdown.
    seam.run_examples_with(execution.generate_file_rst)
    seam.convert_notebook_text_with(notebooks.for_jupyter)
    seam.escape_thumbnail_text()
    seam.escape_figure_alt_text(app)
    seam.give_output_a_byte_stream()

    build_health = health.BuildHealth(app)
    app.tutorial_site_health = build_health
    for event, handler, priority in hooks(build_health):
        app.connect(event, handler, priority=priority)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
