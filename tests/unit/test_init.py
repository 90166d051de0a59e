"""Unit tests of tutorial_site's setup(): one table connects every hook, in order."""

from __future__ import annotations

from types import SimpleNamespace

import tutorial_site


class RecordingApp:
    """Enough of Sphinx's application for setup() to register everything it registers."""

    def __init__(self):
        self.connected, self.directives, self.config_values, self.extensions = [], [], [], []
        self.translators, self.transforms, self.search_languages, self.nodes = {}, [], {}, {}

    def setup_extension(self, name):
        self.extensions.append(name)

    def add_config_value(self, name, default, rebuild, types=()):
        self.config_values.append(name)

    def add_directive(self, name, cls):
        self.directives.append(name)

    def connect(self, event, handler, priority=500):
        self.connected.append((event, handler, priority))

    def set_translator(self, name, cls):
        self.translators[name] = cls

    def add_transform(self, cls):
        self.transforms.append(cls)

    def add_post_transform(self, cls):
        self.transforms.append(cls)

    def add_search_language(self, cls):
        self.search_languages[cls.lang] = cls

    def add_node(self, node, override=False, **visitors):
        self.nodes[node.__name__] = (override, visitors)


def test_setup_connects_the_hook_table_and_nothing_else():
    app = RecordingApp()
    metadata = tutorial_site.setup(app)
    assert metadata["parallel_read_safe"] and metadata["parallel_write_safe"]
    assert app.connected == tutorial_site.hooks(app.tutorial_site_health)
    assert app.extensions == ["sphinx_gallery.gen_gallery", "sphinx.ext.intersphinx"]
    assert set(app.directives) == {"tutorial-example", "example-result", "example-thumbnails", "examples-archive"}
    assert app.nodes["imgsgnode"][0] and set(app.nodes["imgsgnode"][1]) == {"html", "latex"}  # alt text escaped
    assert {"example_order", "example_only", "example_time_limit", "site_url", "api_docs"} <= set(app.config_values)
    assert app.translators["html"] is tutorial_site.accessibility.HTMLTranslator
    translations = tutorial_site.translations
    assert app.transforms == [tutorial_site.figures.AltTexts, tutorial_site.backlinks.BackLink,
                              translations.BuildTimeTexts, translations.CheckTranslated,
                              translations.TranslateThumbnails, translations.GlossaryInReadersOrder,
                              tutorial_site.code_translation.TranslateCode]
    assert app.search_languages["zh"].__name__ == "ChineseSearch"  # Sphinx's Chinese search, mended


def test_the_table_lists_each_events_handlers_in_the_order_they_run():
    table = tutorial_site.hooks(SimpleNamespace(start=1, outdated=2, finish=3))
    by_event: dict[str, list[int]] = {}
    for event, _, priority in table:
        by_event.setdefault(event, []).append(priority)
    for event, priorities in by_event.items():
        assert priorities == sorted(priorities), event
    runs = [handler.__name__ for event, handler, _ in table if event == "builder-inited" and callable(handler)]
    assert runs.index("check_example_imports") < runs.index("run_pending_examples")
    assert tutorial_site.RUN_EXAMPLES < tutorial_site.GALLERY < tutorial_site.AFTER_GALLERY
    # The translated zips are made of the English ones, the examples archive (written after the galleries) included.
    assert runs.index("write_examples_archive") < runs.index("write_translated_downloads")
