"""gallery_runner: sphinx-gallery's examples run once, anywhere, each in a process of its own.

A Sphinx extension for any sphinx-gallery site: add ``"gallery_runner"`` to
``extensions`` after ``"sphinx_gallery.gen_gallery"``. sphinx-gallery still
builds every gallery, page, notebook and report as it would; this extension
changes how and when the examples run:

* each example runs in a process of its own, ``parallel_examples`` (or
  sphinx-gallery's ``parallel``) at a time, with a time limit, and whatever
  it leaves running is ended;
* each example's outputs are kept in an execution cache under a fingerprint
  of what made them, so any machine can fill it and any build can publish
  from it; the examples can be shared out over machines (shards);
* every way an example can end is reported precisely, and a build after a
  failed or interrupted one repairs its output;
* every page says where, when and with what its example ran.

One module per job:

``examples``    which galleries and examples exist (sub-galleries too), their order, their files
``sources``     the examples' folders and files checked first; what sphinx-gallery cannot build is left out
``imports``     a module the examples import that is missing stops the build, naming its requirement
``staleness``   which examples need running, and what each is expected to cost
``runner``      runs each example in a process of its own (or in the Sphinx process, if it asks)
``threads``     how many threads the examples' libraries start with
``processes``   each example in a process group of its own; what it leaves running is ended
``terminal``    printed output as a terminal shows it: no raw control characters
``printed``     printed output past a limit: first and last lines on the page, all of it in a file beside it
``failures``    words every way an example can fail, and names the failed ones at the end
``fingerprint`` what an example's outputs depend on: source, files beside it, Python, settings, output code
``uses``        the distributions an example imported, recorded by its run: the rest of its key
``cache``       the execution cache: results by fingerprint and what they used, verified, written atomically
``machine``     where and when an example ran, recorded with its results
``provenance``  the record of each run, and the line on every page that says where and when it ran
``driver``      the cache in a build: publish what it has, run the rest, store what ran
``shards``      fill the cache by shards across machines, plan them, prune the cache
``health``      a build after a failed, interrupted or damaged one reads and writes everything
``pruning``     removes what belonged to removed examples and pages
``crashes``     a clear message, not Sphinx's crash report, for what can be foreseen (a full disk)
``seam``        the only module that touches sphinx-gallery's and Sphinx's internals (version-checked)

:func:`setup` registers the configuration values and every event handler from
one table, :data:`hooks`, in the order they run.
"""

from __future__ import annotations

import os

from sphinx.application import Sphinx

from . import (crashes, driver, examples, failures, health, imports, printed, provenance, pruning, seam, shards,
               sources, threads)

# -- Priorities -------------------------------------------------------------------------
# Sphinx calls the handlers of one event in increasing priority (default 500).

FIRST = 1
#: sphinx-gallery fills in sphinx_gallery_conf's defaults at config-inited 10.
BEFORE_GALLERY_DEFAULTS = 5
#: sphinx-gallery generates the galleries at builder-inited 500, from the runs
#: before it; it prints its summary of failed examples at build-finished 500.
GALLERY = 500
CHECK_SOURCES, CHECK_NAMES, CHECK_SELECTION, CHECK_IMPORTS = 370, 380, 390, 400
PRUNE_REMOVED_EXAMPLES = 450
FILL_OR_PLAN, RUN_EXAMPLES = 470, 480
#: build-finished: failures are named, pruning reads the outcome, the build's note is written last.
REPORT_FAILURES, PRUNE_STALE_OUTPUT, LAST = 600, 700, 900
DEFAULT = 500


def hooks(build_health: health.BuildHealth) -> list[tuple[str, object, int]]:
    """Every event handler of the engine as (event, handler, priority), in the order they run."""
    return [
        # Reading the configuration.
        ("config-inited", seam.defer_matplotlib, BEFORE_GALLERY_DEFAULTS),
        ("config-inited", examples.configure, BEFORE_GALLERY_DEFAULTS),
        ("config-inited", threads.limit_threads, DEFAULT),
        ("config-inited", failures.check_names_not_paths, DEFAULT),
        ("config-inited", printed.check_limits, DEFAULT),
        # Before any example runs: note that a build started, check, prune, run.
        ("builder-inited", build_health.start, FIRST),
        ("builder-inited", sources.check_sources, CHECK_SOURCES),
        ("builder-inited", failures.check_example_names, CHECK_NAMES),
        ("builder-inited", examples.check_example_selection, CHECK_SELECTION),
        ("builder-inited", imports.check_example_imports, CHECK_IMPORTS),
        ("builder-inited", pruning.prune_removed_examples, PRUNE_REMOVED_EXAMPLES),
        ("builder-inited", shards.fill_or_plan, FILL_OR_PLAN),
        ("builder-inited", driver.run_pending_examples, RUN_EXAMPLES),
        ("builder-inited", driver.take_over_parallel, RUN_EXAMPLES + 1),
        # (sphinx-gallery assembles the galleries from those runs here.)
        ("builder-inited", driver.give_back_parallel, GALLERY + 1),
        # Reading and writing the pages.
        ("env-get-outdated", build_health.outdated, DEFAULT),
        ("env-get-outdated", pruning.note_added_or_removed, DEFAULT),
        ("env-get-updated", pruning.rewrite_everything_if_documents_changed, DEFAULT),
        # The end: (sphinx-gallery's failure summary at 500), the failed examples named, prune, note.
        ("build-finished", failures.report_example_errors, REPORT_FAILURES),
        ("build-finished", sources.fail_if_left_out, REPORT_FAILURES),
        ("build-finished", pruning.prune_stale_output, PRUNE_STALE_OUTPUT),
        ("build-finished", build_health.finish, LAST),
    ]


def setup(app: Sphinx) -> dict:
    crashes.install(app)  # first: a foreseeable error from here on is a clear message, not a crash report
    seam.check_version()
    app.setup_extension(seam.EXTENSION)

    # Which examples run (see .examples, .imports): EXAMPLE=name runs only that one.
    app.add_config_value("example_only", "", "", str)
    app.add_config_value("example_requirements", "requirements.txt", "env", str)
    # How they run (see .runner): how many at once, on how many threads (0: the libraries' own
    # choice), preloaded modules, the time limit, what is left running, nan or inf printed.
    app.add_config_value("parallel_examples", os.cpu_count() or 1, "", int)
    app.add_config_value("example_threads", 0, "", int)
    app.add_config_value("example_preload", ("numpy", "matplotlib.pyplot"), "", (tuple, list))
    app.add_config_value("example_time_limit", 120.0, "", (int, float))
    app.add_config_value("leftover_processes", "end", "", str)  # "warn": and it warns, and runs again
    app.add_config_value("nonfinite_output", "allow", "", str)  # "fail": printing nan or inf fails
    # How much of each printed output a page shows (see .printed; 0: no limit of that kind).
    app.add_config_value("example_output_lines", printed.Limits.lines, "", int)
    app.add_config_value("example_output_characters", printed.Limits.characters, "", int)
    # The execution cache (see .driver, .cache, .fingerprint, .shards), relative to conf.py's folder:
    # execute "auto" runs what the cache lacks, "never" runs nothing; example_shard "i/N" fills the cache.
    app.add_config_value("execution_cache", "_build/execution-cache", "", str)
    app.add_config_value("execute", "auto", "", str)
    app.add_config_value("example_shard", "", "", str)
    app.add_config_value("example_plan", "", "", str)  # make examples PLAN=_build/plan/plan.json
    # Examples whose output depends on the hardware (patterns searched in their paths; see .machine).
    app.add_config_value("machine_dependent_examples", (), "", (tuple, list))

    # Where, when and with what each example ran, on its page and in the execution-times tables.
    app.add_event(provenance.EVENT)
    app.add_directive(provenance.DIRECTIVE, provenance.ProvenanceLine)
    app.add_transform(provenance.ProvenanceColumn)
    # Printed output past those limits: its first and last lines, and a link to all of it.
    app.add_event(printed.EVENT)
    app.add_directive(printed.DIRECTIVE, printed.OutputDirective)

    # No example runs in the Sphinx process unless it asks to.
    seam.run_examples_with(driver.generate_file_rst)
    seam.give_output_a_byte_stream()

    build_health = health.BuildHealth(app)
    app.gallery_runner_health = build_health
    for event, handler, priority in hooks(build_health):
        app.connect(event, handler, priority=priority)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
