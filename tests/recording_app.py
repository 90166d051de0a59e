"""A stand-in for Sphinx's application that records what an extension's setup() registers."""

from __future__ import annotations


class RecordingApp:
    """Enough of Sphinx's application for setup() to register everything it registers."""

    def __init__(self):
        self.connected, self.directives, self.config_values, self.extensions = [], [], [], []
        self.config_defaults = {}
        self.translators, self.transforms, self.search_languages, self.nodes = {}, [], {}, {}
        self.events = []

    def setup_extension(self, name):
        self.extensions.append(name)

    def add_config_value(self, name, default, rebuild, types=()):
        self.config_values.append(name)
        self.config_defaults[name] = default

    def add_directive(self, name, cls):
        self.directives.append(name)

    def add_event(self, name):
        self.events.append(name)

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


def handlers_in_order(table: list[tuple[str, object, int]]) -> list[str]:
    """Check that a hook table lists each event's handlers in the order they run; return the builder-inited ones."""
    by_event: dict[str, list[int]] = {}
    for event, _, priority in table:
        by_event.setdefault(event, []).append(priority)
    for event, priorities in by_event.items():
        assert priorities == sorted(priorities), event
    return [handler.__name__ for event, handler, _ in table if event == "builder-inited" and callable(handler)]
