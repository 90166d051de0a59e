"""Unit tests of gallery_runner's setup(): one table connects every hook, in order."""

from __future__ import annotations

from types import SimpleNamespace

import gallery_runner
from recording_app import RecordingApp, handlers_in_order


def test_setup_connects_the_hook_table_and_nothing_else():
    app = RecordingApp()
    metadata = gallery_runner.setup(app)
    assert metadata["parallel_read_safe"] and metadata["parallel_write_safe"]
    assert app.connected == gallery_runner.hooks(app.gallery_runner_health)
    assert app.extensions == ["sphinx_gallery.gen_gallery"]
    assert app.nodes == {}  # no pages of its own; on every example page and times table, where it ran:
    assert app.directives == ["example-provenance", "example-output"]  # and an output past the limits, in part
    assert app.events == ["example-provenance-text", "example-output-text"]
    assert [transform.__name__ for transform in app.transforms] == ["ProvenanceColumn"]
    assert {"example_only", "example_time_limit", "execution_cache", "execute", "example_shard"} <= set(
        app.config_values)


def test_its_defaults_leave_a_foreign_site_as_sphinx_gallery_would():
    app = RecordingApp()
    gallery_runner.setup(app)
    defaults = app.config_defaults
    assert defaults["execution_cache"] == "_build/execution-cache"  # relative to conf.py's folder
    assert defaults["example_threads"] == 0  # no thread variables set in the Sphinx process
    assert defaults["leftover_processes"] == "end" and defaults["nonfinite_output"] == "allow"
    assert not any("torch" in module for module in defaults["example_preload"])
    # Where it differs, on purpose: a printed output past 1,000 lines or 100,000 characters is shown in part.
    assert (defaults["example_output_lines"], defaults["example_output_characters"]) == (1000, 100_000)


def test_the_table_lists_each_events_handlers_in_the_order_they_run():
    runs = handlers_in_order(gallery_runner.hooks(SimpleNamespace(start=1, outdated=2, finish=3)))
    assert runs.index("check_example_imports") < runs.index("fill_or_plan") < runs.index("run_pending_examples")
    assert gallery_runner.RUN_EXAMPLES < gallery_runner.GALLERY
