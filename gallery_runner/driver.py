"""The execution cache in a build: publish what it has, run the rest, store what ran.

Before sphinx-gallery's pass (:func:`run_pending_examples`), every example
that this build runs and whose outputs are not current here is looked up in
the execution cache (``execution_cache``) under its fingerprint
(:mod:`.fingerprint`): an entry is published, the others run (:mod:`.runner`),
and each that passed is stored. ``execute = "never"`` (``EXECUTE=never``) runs
nothing, and fails naming every example the cache lacks.

sphinx-gallery's pass then calls :func:`generate_file_rst`, which stands in
for sphinx-gallery's own and hands it those results, so that sphinx-gallery
assembles the galleries, the JUnit report and its summary as usual.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

from . import cache, fingerprint, provenance, runner, seam, uses
from .examples import Example, all_examples
from .staleness import cost_of, recorded_failure, why_run

logger = logging.getLogger(__name__)

#: Results of the examples run before sphinx-gallery's pass, by source path.
_results: dict[str, tuple] = {}
#: The examples that run in the Sphinx process during sphinx-gallery's pass, with the cache they go to.
_here: dict[str, tuple] = {}


def generate_file_rst(fname, target_dir, src_dir, gallery_conf):
    """sphinx-gallery's ``generate_file_rst``, where an example runs in a process of its own.

    An example run before sphinx-gallery's pass returns that run's result; one
    that opts out of parallel runs (``# sphinx_gallery_parallel = False``)
    runs here, in the Sphinx process, as sphinx-gallery runs it; one that
    still needs running runs now, in a process of its own; any other is
    handed to sphinx-gallery, which finds it up to date (or not to be run).
    """
    task = Example(Path(src_dir, fname), Path(target_dir))
    if task.key in _results:
        return _results.pop(task.key)
    if task.key in _here:
        item, folder = _here.pop(task.key)
        result = runner.run_here(task, gallery_conf)
        store_results(folder, [item], {task.key: result}, gallery_conf)
        return result
    if why_run(task, gallery_conf) is not None:
        if not runner.runs_in_parallel(task):
            return runner.run_here(task, gallery_conf)
        return runner.run_examples([task], gallery_conf, 1, runner.rules.time_limit)[task.key]
    failure = recorded_failure(task)
    if failure is not None and seam.is_run(task.source, gallery_conf):
        # It failed as expected under this same fingerprint: reported again, not run again.
        return seam.result_of_failure(task.source, task.target, gallery_conf, failure)
    if failure is not None:
        # Not run in this build, sphinx-gallery writes its page without output (it keeps no
        # checksum of a failure): that run's record no longer describes what is on disk.
        task.forget_run()
    return seam.generate_file_rst(fname, target_dir, src_dir, gallery_conf)


@dataclass
class Pending:
    """An example whose outputs are not current here, with its fingerprint."""

    example: Example
    name: str  # gallery/file.py, as in the fingerprint
    parts: dict
    key: str
    reason: str


def cache_folder(app: Sphinx) -> Path:
    """The execution cache's folder (``execution_cache``, relative to conf.py's folder)."""
    return (Path(app.confdir) / app.config.execution_cache).resolve()


def fingerprinted(app: Sphinx, example: Example) -> tuple[str, dict]:
    conf = app.config.sphinx_gallery_conf
    gallery = example.gallery_dir.relative_to(Path(app.srcdir).resolve()).as_posix()
    parts = fingerprint.components(example, gallery, app.config, conf)
    return parts["example"], parts


def pending_examples(app: Sphinx) -> list[Pending]:
    """The examples this build would run: not current here, and selected (``EXAMPLE=``)."""
    conf = app.config.sphinx_gallery_conf
    pending = []
    for example in all_examples(app):
        if not seam.is_run(example.source, conf):
            continue
        name, parts = fingerprinted(app, example)
        reason = why_run(example, conf, parts)
        if reason is not None:
            pending.append(Pending(example, name, parts, fingerprint.key(parts), reason))
    return pending


def write_fingerprint_record(example: Example, parts: dict, used: dict[str, str]) -> None:
    """Record what the example's outputs here were made under: its fingerprint, and the distributions it used."""
    example.fingerprint_record.parent.mkdir(parents=True, exist_ok=True)
    scratch = example.fingerprint_record.with_name(example.fingerprint_record.name + ".new")
    scratch.write_text(json.dumps(fingerprint.record(parts, used), sort_keys=True), encoding="utf-8")
    scratch.replace(example.fingerprint_record)


def restore_from_cache(folder: Path, pending: list[Pending]) -> tuple[list[Pending], dict[str, str]]:
    """Publish from the cache what it has; return the rest, and why each damaged entry was discarded."""
    left, damaged = [], {}
    for item in pending:
        try:
            entry = cache.lookup(folder, item.key, item.parts)
        except cache.Damaged as error:
            damaged[item.example.name] = str(error)
            logger.info("%s: its entry in the execution cache is damaged (%s); it is discarded",
                        item.example.name, error)
            entry = None
        if entry is None:
            left.append(item)
            continue
        _remove_old_outputs(item.example, keep=set(entry.files))
        cache.restore(entry, item.example.gallery_dir)
        write_fingerprint_record(item.example, item.parts, entry.uses)
        logger.verbose("%s: published from the execution cache (%s)", item.example.name, item.reason)
    return left, damaged


def _remove_old_outputs(example: Example, keep: set[str]) -> None:
    """Delete the outputs the example's last run here listed that a restored entry does not have."""
    try:
        listed = json.loads(example.manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    for name in listed if isinstance(listed, list) else ():
        if isinstance(name, str) and ".." not in Path(name).parts and name not in keep:
            (example.gallery_dir / name).unlink(missing_ok=True)


def record_expected_failure(example: Example, result: tuple) -> None:
    """Keep what a run that failed as expected reported, and list its outputs: it is current, as a pass is."""
    intro, title, (run_time, memory), out_vars = result
    record = {"checksum": seam.checksum(example.source), "intro": intro, "title": title, "time": run_time,
              "memory": memory, "formatted_exception": out_vars["formatted_exception"]}
    example.failure_record.parent.mkdir(parents=True, exist_ok=True)
    example.failure_record.write_text(json.dumps(record), encoding="utf-8")
    runner.list_outputs(example)


def store_results(folder: Path, ran: list[Pending], results: dict[str, tuple], conf: dict) -> int:
    """Record and cache the outputs of every example that passed, or failed as expected; return how many."""
    stored = 0
    for item in ran:
        result = results.get(item.example.key)
        if result and "formatted_exception" in result[3] and seam.expected_to_fail(item.example.source, conf):
            record_expected_failure(item.example, result)
        elif not result or not result[3].get("passing"):
            continue
        if not item.example.manifest.is_file():
            continue  # not current (it left processes running, where that is not allowed)
        record = provenance.read_record(item.example.provenance_record)
        if record is None:
            continue  # it did not run to the end of its page
        write_fingerprint_record(item.example, item.parts, record["uses"])
        gallery_dir = item.example.gallery_dir
        records = [item.example.manifest, item.example.failure_record, item.example.checksum_file]
        names = [*json.loads(item.example.manifest.read_text(encoding="utf-8")),
                 *(path.relative_to(gallery_dir).as_posix() for path in records if path.is_file())]
        try:
            stored += cache.store(folder, item.key, item.parts, item.example.gallery_dir, names, result[2][0],
                                  record["uses"], ran_on=record["ran_on"])
        except OSError as error:
            logger.warning("%s ran, but its outputs could not be stored in the execution cache %s: %s",
                           item.example.name, folder, error)
    return stored


def run_pending_examples(app: Sphinx) -> None:
    """Publish what the cache has, then run every example that still needs it, before sphinx-gallery's pass.

    (Filling the cache by shards, planning and pruning stop the build before
    this: see :mod:`.shards`.) ``execute = "never"``
    (``EXECUTE=never``) runs nothing and fails naming every example that
    would need running.
    """
    conf = app.config.sphinx_gallery_conf
    runner.set_rules(app.config)
    _results.clear()
    _here.clear()
    fingerprint.new_build()
    uses.forget()
    if not conf.get("plot_gallery"):
        return
    if app.config.execute not in ("auto", "never"):
        logger.error("execute = %r (EXECUTE=%s) is not a way to execute: use EXECUTE=auto (run what the "
                     "cache lacks, the default) or EXECUTE=never (run nothing)", app.config.execute, app.config.execute)
        raise SystemExit(2)
    folder = cache_folder(app)
    pending = pending_examples(app)
    for item in pending:
        logger.verbose("%s runs: %s", item.example.name, item.reason)
    left, damaged = restore_from_cache(folder, pending)
    if len(left) < len(pending):
        logger.info("published %d example%s from the execution cache %s", len(pending) - len(left),
                    "s" if len(pending) - len(left) != 1 else "", os.path.relpath(folder))
    if not left:
        return
    if app.config.execute == "never":
        lines = [f"EXECUTE=never: {len(left)} example{'s' if len(left) != 1 else ''} would have to run, "
                 f"having no valid entry in the execution cache {folder}:"]
        for item in left:
            why = f"its entry was damaged: {damaged[item.example.name]}" if item.example.name in damaged \
                else f"no entry for its fingerprint {item.key[:12]} ({item.reason})"
            lines.append(f"  {os.path.relpath(item.example.source)}: {why}")
        lines.append("Fill the cache first (make examples, or make examples SHARD=i/N on each machine), "
                     "or build without EXECUTE=never.")
        logger.error("\n".join(lines))
        raise SystemExit(1)
    recorded = cache.recorded_times(folder)
    left.sort(key=lambda item: (cost_of(item.example, recorded, item.name), item.name), reverse=True)
    _here.update((item.example.key, (item, folder)) for item in left if not runner.runs_in_parallel(item.example))
    forked = [item for item in left if item.example.key not in _here]
    if forked:
        _results.update(execute(app, [item.example for item in forked]))
        store_results(folder, forked, _results, conf)


def execute(app: Sphinx, tasks: list[Example]) -> dict[str, tuple]:
    """Run ``tasks`` in processes of their own (in this order), ``parallel_examples`` at a time."""
    conf = app.config.sphinx_gallery_conf
    workers = max(1, min(worker_count(app), len(tasks)))
    start = time.perf_counter()
    runner.preload(tuple(app.config.example_preload), tasks)
    uses.warm()  # read once here, not in every example's process
    logger.info(
        "running %d example%s, each in a process of its own, %d at a time",
        len(tasks), "s" if len(tasks) > 1 else "", workers,
    )
    results = runner.run_examples(tasks, conf, workers, runner.rules.time_limit)
    logger.info("ran %d example%s in %.1f s", len(tasks), "s" if len(tasks) > 1 else "", time.perf_counter() - start)
    return results


def worker_count(app: Sphinx) -> int:
    """How many examples run at once: sphinx-gallery's ``parallel`` when it is a number, else ``parallel_examples``."""
    parallel = app.config.sphinx_gallery_conf.get("parallel")
    if isinstance(parallel, int) and not isinstance(parallel, bool) and parallel:
        return parallel if parallel > 0 else max(1, (os.cpu_count() or 1) + 1 + parallel)  # joblib's n_jobs
    return app.config.parallel_examples


_PARALLEL = "_gallery_engine_parallel"


def take_over_parallel(app: Sphinx) -> None:
    """Have sphinx-gallery's pass assemble the galleries in this process: the examples already ran in parallel.

    sphinx-gallery's ``parallel`` would hand each example to a joblib
    worker, where the results of the runs above are not; the engine used it
    as its number of workers instead. Given back after the pass, so the
    configuration Sphinx compares between builds is the one conf.py wrote.
    """
    conf = app.config.sphinx_gallery_conf
    setattr(app, _PARALLEL, conf.get("parallel", False))
    conf["parallel"] = False


def give_back_parallel(app: Sphinx) -> None:
    if hasattr(app, _PARALLEL):
        app.config.sphinx_gallery_conf["parallel"] = getattr(app, _PARALLEL)
        delattr(app, _PARALLEL)
