"""Run the examples that need running on every CPU, before sphinx-gallery's pass.

sphinx-gallery runs the examples one after another inside the Sphinx process.
Just before it does, this extension hands the examples that need running
(those whose source changed since their last good run) to a pool of forked
worker processes. Each worker calls sphinx-gallery's own
``generate_file_rst``, which writes everything sphinx-gallery would: the
page's source, figures, thumbnail, notebook, checksum and measured cost.
sphinx-gallery's pass then finds those examples up to date and only
assembles the galleries, so the pages are the same either way.

The longest examples go first (the cost of their last run, else a guess from
what they import), so that TensorFlow's start-up overlaps the torch examples.
An example that fails in a worker leaves no checksum: sphinx-gallery runs it
again in the Sphinx process and reports the failure exactly as it would have
(the workers' own output is discarded).

Every example runs with ``example_threads`` threads (1 by default) in torch,
TensorFlow and the BLAS libraries, in a worker or in the Sphinx process
alike. float32 sums depend on how they are split between threads, so this
makes the printed numbers the same whatever the machine's CPU count and
whether workers are used; it also keeps two workers from fighting over the
CPUs, which made them slower than one process.

Workers are forked, so this needs a platform with ``fork`` (Linux). Set
``parallel_examples`` (``EXAMPLE_WORKERS`` in conf.py) to 1 to run
everything in the Sphinx process as sphinx-gallery does by itself.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx_gallery.gen_rst import _read_cached_cost, executable_script, generate_file_rst
from sphinx_gallery.utils import _collect_gallery_files, get_md5sum

from gallery_guard import gallery_paths, imported_modules

logger = logging.getLogger(__name__)

# What a worker needs, set in the Sphinx process just before it forks them.
_gallery_conf: dict | None = None


def guess_cost(script: Path) -> float:
    """Seconds an example with no recorded run is guessed to take."""
    modules = imported_modules(script)
    return 5.0 if "tensorflow" in modules else 2.0 if "torch" in modules else 1.0


def examples_to_run(app: Sphinx) -> list[tuple[str, Path, Path]]:
    """(file name, generated folder, examples folder) of each example to run, longest first."""
    conf = app.config.sphinx_gallery_conf
    pending = []
    for examples_dir, gallery_dir in gallery_paths(app):
        for fname in _collect_gallery_files([examples_dir], conf):
            script, target = examples_dir / fname, gallery_dir / fname
            if not executable_script(str(script), conf):
                continue
            checksum = gallery_dir / f"{fname}.md5"
            if checksum.is_file() and checksum.read_text() == get_md5sum(script, mode="t"):
                continue  # up to date: sphinx-gallery will not run it either
            cost = _read_cached_cost(target)[0] or guess_cost(script)
            pending.append((cost, fname, gallery_dir, examples_dir))
    return [(fname, gallery, source) for _, fname, gallery, source in sorted(pending, reverse=True)]


# Thread pools sized from these variables when torch, TensorFlow or a BLAS starts.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                    "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")


def _size_thread_pools(threads: int) -> None:
    """Give the thread pools ``threads`` threads, unless the environment already sizes them."""
    for name in THREAD_VARIABLES:
        os.environ.setdefault(name, str(threads))


def limit_threads(app: Sphinx, config) -> None:
    """Size the examples' thread pools from ``example_threads`` (0: leave them alone)."""
    if config.example_threads > 0:
        _size_thread_pools(config.example_threads)


def _start_worker(threads: int) -> None:
    """Share the CPUs between the workers, and discard what a worker prints."""
    _size_thread_pools(threads)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)


def _run_example(task: tuple[str, Path, Path]) -> None:
    fname, gallery_dir, examples_dir = task
    try:
        generate_file_rst(fname, gallery_dir, examples_dir, _gallery_conf)
    except BaseException:  # noqa: BLE001 - the Sphinx process runs it again and reports
        pass


def run_examples_in_workers(app: Sphinx) -> None:
    global _gallery_conf
    conf = app.config.sphinx_gallery_conf
    workers = app.config.parallel_examples
    if not conf.get("plot_gallery") or workers < 2:
        return
    if "fork" not in multiprocessing.get_all_start_methods():
        return
    tasks = examples_to_run(app)
    if len(tasks) < 2:
        return  # nothing to overlap
    for _, gallery_dir, _ in tasks:
        (gallery_dir / "images" / "thumb").mkdir(parents=True, exist_ok=True)
    workers = min(workers, len(tasks))
    logger.info("running %d examples in %d worker processes...", len(tasks), workers, nonl=True)
    start = time.perf_counter()
    _gallery_conf = conf
    threads = max(1, (os.cpu_count() or 1) // workers)
    pool = multiprocessing.get_context("fork").Pool(workers, _start_worker, (threads,))
    with pool:
        for _ in pool.imap_unordered(_run_example, tasks):
            pass
    logger.info(" done in %.1f s", time.perf_counter() - start)


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinx_gallery.gen_gallery")
    app.add_config_value("parallel_examples", os.cpu_count() or 1, "", int)
    app.add_config_value("example_threads", 1, "", int)
    app.connect("config-inited", limit_threads)
    # After gallery_guard's checks (400, 450), before sphinx-gallery's pass (500).
    app.connect("builder-inited", run_examples_in_workers, priority=480)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
