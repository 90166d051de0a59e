"""Run every example in a process of its own, and report every way one can end.

sphinx-gallery runs the examples one after another inside the Sphinx process,
so whatever an example does to the process (a default dtype, a global seed,
an ``os._exit``, a segfault, a C call that never returns) reaches the other
examples or the build itself. Here no example ever runs in the Sphinx
process:

* **One forked process per example.** The Sphinx process first imports the
  heavy libraries the examples share (``example_preload``: numpy, matplotlib,
  torch, and the torch._dynamo that torch.optim's first optimizer imports),
  runs nothing with them, and then forks one child per example that needs
  running, ``parallel_examples`` at a time, longest first. Each child
  starts from that same clean state and calls sphinx-gallery's own
  ``generate_file_rst``, which writes everything sphinx-gallery would: the
  page's source, figures, thumbnail, notebook, checksum and measured cost.
  The child sends its result back; sphinx-gallery's pass then receives it
  through :func:`generate_file_rst`, which stands in for sphinx-gallery's, so
  the galleries are assembled as usual. One worker or many, every example
  sees the same fresh state, so the pages are the same.
* **Every ending is classified** in the Sphinx process, which watches each
  child: an exception (sphinx-gallery's traceback), ``sys.exit`` with any
  code, an exit of the process before the example finished (``os._exit``, a
  C ``exit()``), a fatal signal (named, with the Python stack that
  :mod:`faulthandler` wrote), and a run past ``example_time_limit``, after
  which the child is stopped, C code and all (SIGABRT, on which faulthandler
  writes where it was before the process ends; SIGKILL 2 s later if need
  be), and the message gives the limit, the time it ran and where it was
  (worded by :mod:`.failures`). The
  example fails the build once, by name, and is never run a second time.
* **Missing packages, named up front.** Before any example runs, every module
  the examples import is looked up. A missing one stops the build with one
  message naming the module, the examples that need it and the requirement
  line that installs it, instead of a traceback in the middle of the build.
* **Nothing half-done is trusted.** Before an example runs, its checksum and
  its list of outputs are deleted; the child writes that list
  (``<name>.outputs.json``) last, once every output is on disk. An example
  whose list is missing, or one of whose listed outputs is gone, runs again:
  so an interrupted run or a deleted figure, notebook or thumbnail heals.

TensorFlow is not preloaded: with TensorFlow imported into the same parent,
the torch examples forked from it ran about twice as slow (dynamic_net.py:
2.1 s against 1.1 s), so the two examples that use TensorFlow import it in
their own process.

Children are forked, so this needs a platform with ``fork`` (Linux, macOS).
"""

from __future__ import annotations

import ast
import contextlib
import faulthandler
import glob
import importlib
import importlib.util
import itertools
import json
import multiprocessing
import multiprocessing.connection
import os
import pickle
import resource
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from sphinx.application import Sphinx
from sphinx.util import logging

from . import failures, seam
from .examples import MANIFEST_SUFFIX, Example, all_examples, is_selected
from .seam import read_images

logger = logging.getLogger(__name__)

#: Results of the examples run before sphinx-gallery's pass, by source path.
_results: dict[str, tuple] = {}
#: This build's ``example_time_limit``.
_time_limit = 0.0


# -- Which examples need running -------------------------------------------------------


def example_outputs(example: Example) -> list[str]:
    """The files a finished run of ``example`` left, relative to its gallery folder."""
    folder, stem = example.gallery_dir, example.stem
    names = {
        path.name
        for path in folder.glob(f"{glob.escape(stem)}.*")
        if not path.name.endswith((MANIFEST_SUFFIX, ".md5", ".new"))
    }
    page = example.generated_file(".rst")
    images = read_images(page.read_text(encoding="utf-8")) if page.is_file() else []
    names.update(f"images/{Path(image).name}" for image in images)
    if example.thumbnail.is_file():
        names.add(example.thumbnail.relative_to(folder).as_posix())
    return sorted(names)


def why_run(example: Example, conf: dict) -> str | None:
    """Why ``example`` must run in this build, or None when its outputs are current."""
    if not seam.is_run(example.source, conf):
        return None  # not run in this build (html-noplot, EXAMPLE=...)
    checksum = example.checksum_file
    if not checksum.is_file() or checksum.read_text() != seam.checksum(example.source):
        return "its source changed"
    if not example.manifest.is_file():
        return "its last run did not finish"
    try:
        listed = json.loads(example.manifest.read_text(encoding="utf-8"))
    except ValueError:
        return "its list of outputs is unreadable"
    missing = [name for name in listed if not (example.gallery_dir / name).is_file()]
    if missing:
        return f"{missing[0]} is missing"
    return None


def examples_to_run(app: Sphinx) -> list[Example]:
    """The examples that need running, longest first (by their last run's cost)."""
    conf = app.config.sphinx_gallery_conf
    pending = []
    for example in all_examples(app):
        reason = why_run(example, conf)
        if reason is None:
            continue
        logger.verbose("%s runs: %s", example.name, reason)
        cost = seam.recorded_cost(example.target) or guess_cost(example.source)
        pending.append((cost, example.name, example))
    return [example for _, _, example in sorted(pending, key=lambda item: item[:2], reverse=True)]


def guess_cost(script: Path) -> float:
    """Seconds an example with no recorded run is guessed to take.

    What it imports sets the scale (TensorFlow's import alone takes seconds),
    and a longer program is guessed to run longer: a tutorial example has
    about 40 statements, the comparison several times that. A guess only
    orders a clean build's examples, longest first, so that the longest
    does not start last.
    """
    modules = imported_modules(script)
    scale = 5.0 if "tensorflow" in modules else 2.0 if "torch" in modules else 1.0
    statements = sum(isinstance(node, ast.stmt) for node in ast.walk(ast.parse(script.read_bytes())))
    return scale * max(1.0, statements / 40)


# -- The Sphinx process: preload, fork, watch ------------------------------------------------


def preload(modules: tuple[str, ...], tasks: list[Example]) -> list[str]:
    """Import those ``modules`` that the examples ``tasks`` use; return their names.

    Only imports: nothing runs a computation, so no library has started a
    thread pool that a forked child would inherit half-copied.
    """
    used = set().union(*(imported_modules(task.source) for task in tasks)) if tasks else set()
    loaded = []
    for module in modules:
        if module.split(".")[0] in used:
            importlib.import_module(module)
            loaded.append(module)
    return loaded


@dataclass
class _Child:
    task: Example
    process: Any
    folder: Path
    started: float


def run_examples(tasks: list[Example], conf: dict, workers: int, time_limit: float) -> dict[str, tuple]:
    """Run each task in a forked process of its own, ``workers`` at a time.

    Returns sphinx-gallery's result for each, by :attr:`Example.key`; failures
    are logged as they happen and carry their message as
    ``formatted_exception``, as sphinx-gallery's own do.
    """
    context = multiprocessing.get_context("fork")
    numbers = itertools.count()
    waiting = list(tasks)
    running: dict[Any, _Child] = {}
    results: dict[str, tuple] = {}
    with tempfile.TemporaryDirectory(prefix="examples-") as scratch:
        try:
            while waiting or running:
                while waiting and len(running) < max(1, workers):
                    task = waiting.pop(0)
                    child = _start(context, task, conf, Path(scratch) / str(next(numbers)))
                    running[child.process.sentinel] = child
                timeout = None
                if time_limit > 0:
                    first_deadline = min(child.started for child in running.values()) + time_limit
                    timeout = max(0.0, first_deadline - time.monotonic())
                for sentinel in multiprocessing.connection.wait(list(running), timeout):
                    child = running.pop(sentinel)
                    child.process.join()
                    results[child.task.key] = _finish(child, conf, time.monotonic() - child.started)
                if time_limit > 0:
                    now = time.monotonic()
                    for sentinel, child in list(running.items()):
                        if now - child.started >= time_limit:
                            del running[sentinel]
                            elapsed = _stop(child)
                            results[child.task.key] = _finish(child, conf, elapsed, time_limit)
        finally:
            for child in running.values():  # interrupted: leave no example running
                child.process.kill()
                child.process.join()
    return results


def _start(context, task: Example, conf: dict, folder: Path) -> _Child:
    folder.mkdir()
    (task.gallery_dir / "images" / "thumb").mkdir(parents=True, exist_ok=True)
    # Whatever happens from here on, this example runs again next time
    # unless its child finishes and lists its outputs.
    task.checksum_file.unlink(missing_ok=True)
    task.manifest.unlink(missing_ok=True)
    process = context.Process(target=_child_main, args=(task, conf, folder), name=task.name)
    process.start()
    return _Child(task, process, folder, time.monotonic())


def _stop(child: _Child) -> float:
    """Stop a child that ran past the time limit; return how long it ran.

    On SIGABRT the child's faulthandler writes where it is, then the process
    ends: once it has ended, the whole dump is on disk. (Asked with a signal
    it survives, and killed as soon as the dump had begun, a child on a busy
    machine could be killed halfway through writing it, before the line of
    the example.) A child that outlives SIGABRT by 2 s is killed.
    """
    with contextlib.suppress(ProcessLookupError):
        os.kill(child.process.pid, signal.SIGABRT)
    child.process.join(2.0)
    elapsed = time.monotonic() - child.started
    if child.process.is_alive():
        child.process.kill()
        child.process.join()
    return elapsed


def _finish(child: _Child, conf: dict, elapsed: float, time_limit: float = 0.0) -> tuple:
    """sphinx-gallery's result for a child that ended, logging a failure."""
    task = child.task
    outcome = None
    with contextlib.suppress(OSError, EOFError, pickle.UnpicklingError):
        outcome = pickle.loads((child.folder / "outcome.pickle").read_bytes())
    stack = failures.where_it_was(_read(child.folder / "stack.txt"), task.source, skip=__file__)
    if time_limit:
        message = failures.timed_out(task, elapsed, time_limit, stack)
    elif outcome is None:
        tail = _tail(_read(child.folder / "stderr.txt"))
        message = failures.ended_early(task, child.process.exitcode, stack, tail)
    elif outcome[0] == "exit":
        _, code, trace = outcome
        message = failures.called_exit(task, code, trace)
    elif outcome[0] == "raised":
        message = outcome[1]
    else:
        result = outcome[1]
        failure = result[3].get("formatted_exception")
        if failure:
            failures.log_failure(task, conf, failure)
        return result
    failures.log_failure(task, conf, message)
    return _page_without_output(task, conf, message)


def _page_without_output(task: Example, conf: dict, message: str) -> tuple:
    """The example's page as sphinx-gallery writes it unexecuted, marked as failed."""
    intro, title, _, out_vars = seam.generate_file_rst(
        task.name, task.gallery_dir, task.examples_dir, {**conf, "plot_gallery": False}
    )
    out_vars.pop("stale", None)
    out_vars["formatted_exception"] = message
    return intro, title, (0.0, 0.0), out_vars


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


# -- The child ------------------------------------------------------------------------------


def _child_main(task: Example, conf: dict, folder: Path) -> None:
    """Run one example in this forked process and leave the outcome in ``folder``."""
    _die_with_parent()
    # What the example or its libraries write to the terminal is kept for the
    # failure message; what it prints, sphinx-gallery captures for the page.
    log = os.open(folder / "stderr.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(log, 1)
    os.dup2(log, 2)
    stack = open(folder / "stack.txt", "w", encoding="utf-8")  # noqa: SIM115 - open until os._exit
    faulthandler.enable(stack, all_threads=True)  # on a crash, and on the SIGABRT past the time limit
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # which leaves no core file
    exit_now = os._exit

    def exit_showing_where(status: int) -> None:
        faulthandler.dump_traceback(stack, all_threads=False)
        exit_now(status)

    os._exit = exit_showing_where  # this process is the example's alone
    outcome: tuple
    try:
        try:
            result = seam.generate_file_rst(task.name, task.gallery_dir, task.examples_dir, conf)
        except SystemExit as exc:
            outcome = ("exit", exc.code, failures.example_traceback(exc, task.source))
        else:
            result = failures.check_finite(task, result)
            if result[3].get("passing"):
                task.manifest.write_text(json.dumps(example_outputs(task)), encoding="utf-8")
            outcome = ("done", result)
    except BaseException as exc:  # noqa: BLE001 - reported by the Sphinx process
        outcome = ("raised", "".join(traceback.format_exception(exc)))
    scratch = folder / "outcome.pickle.new"
    scratch.write_bytes(pickle.dumps(outcome))
    scratch.replace(folder / "outcome.pickle")
    sys.stdout.flush()
    sys.stderr.flush()
    exit_now(0)


def _die_with_parent() -> None:
    """Linux: have the kernel kill this child if the Sphinx process dies first."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


# -- Missing packages ------------------------------------------------------------


def imported_modules(script: Path) -> set[str]:
    """The top-level names of the modules a script imports."""
    try:
        tree = ast.parse(script.read_bytes(), filename=str(script))
    except SyntaxError:
        return set()  # sphinx-gallery reports it when it runs the example
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def is_importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def requirement_for(module: str, requirements: Path) -> str | None:
    """The line of ``requirements`` that installs ``module`` on this platform.

    A distribution matches when its name is the module's, or starts with it
    and a dash (``tensorflow-cpu`` installs ``tensorflow``).
    """
    if not requirements.is_file():
        return None
    wanted = canonicalize_name(module)
    for line in requirements.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        try:
            req = Requirement(line)
        except InvalidRequirement:
            continue
        if req.marker is not None and not req.marker.evaluate():
            continue
        name = canonicalize_name(req.name)
        if name == wanted or name.startswith(wanted + "-"):
            return str(req).split(";")[0].strip()
    return None


def check_example_imports(app: Sphinx) -> None:
    """Stop the build before any example runs if one cannot import a module."""
    if not app.config.sphinx_gallery_conf.get("plot_gallery"):
        return  # nothing will be executed
    needed: dict[str, list[str]] = {}
    conf = app.config.sphinx_gallery_conf
    for example in all_examples(app):
        if not is_selected(example, conf):
            continue  # not run in this build (EXAMPLE=...)
        script = example.source
        for module in imported_modules(script):
            local = script.parent / module  # a module of the example's own folder
            if local.with_suffix(".py").exists() or local.is_dir():
                continue
            needed.setdefault(module, []).append(os.path.relpath(script))
    missing = sorted(module for module in needed if not is_importable(module))
    if not missing:
        return
    requirements = Path(app.confdir) / app.config.example_requirements
    lines = ["The examples import modules that this Python cannot find:"]
    for module in missing:
        line = f"  {module}, needed by {', '.join(needed[module])}"
        req = requirement_for(module, requirements)
        if req:
            line += f": install it with {sys.executable} -m pip install '{req}'"
        lines.append(line)
    lines.append(
        f"To install everything the site needs: {sys.executable} -m pip install "
        f"-r {os.path.relpath(requirements)}"
    )
    logger.error("\n".join(lines))
    # A clean stop: any exception would add Sphinx's crash report to the message.
    raise SystemExit(1)


# -- Hooks ------------------------------------------------------------------------------------


def generate_file_rst(fname, target_dir, src_dir, gallery_conf):
    """sphinx-gallery's ``generate_file_rst``, but an example never runs in this process.

    An example run before sphinx-gallery's pass returns that run's result; one
    that still needs running runs now, in a process of its own; any other is
    handed to sphinx-gallery, which finds it up to date (or not to be run).
    """
    task = Example(Path(src_dir, fname), Path(target_dir))
    if task.key in _results:
        return _results.pop(task.key)
    if why_run(task, gallery_conf) is not None:
        return run_examples([task], gallery_conf, 1, _time_limit)[task.key]
    return seam.generate_file_rst(fname, target_dir, src_dir, gallery_conf)


# Thread pools sized from these variables when torch, TensorFlow or a BLAS starts.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                    "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")


def limit_threads(app: Sphinx, config) -> None:
    """Size the examples' thread pools from ``example_threads`` (0: leave them alone).

    Set before anything imports numpy or torch, so the preloaded libraries and
    every child start with that many threads.
    """
    if config.example_threads > 0:
        for name in THREAD_VARIABLES:
            os.environ.setdefault(name, str(config.example_threads))


def run_pending_examples(app: Sphinx) -> None:
    """Run every example that needs it, before sphinx-gallery's pass."""
    global _time_limit
    conf = app.config.sphinx_gallery_conf
    _time_limit = app.config.example_time_limit
    _results.clear()
    if not conf.get("plot_gallery"):
        return
    tasks = examples_to_run(app)
    if not tasks:
        return
    workers = max(1, min(app.config.parallel_examples, len(tasks)))
    start = time.perf_counter()
    preload(tuple(app.config.example_preload), tasks)
    logger.info(
        "running %d example%s, each in a process of its own, %d at a time",
        len(tasks), "s" if len(tasks) > 1 else "", workers,
    )
    _results.update(run_examples(tasks, conf, workers, _time_limit))
    logger.info("ran %d example%s in %.1f s", len(tasks), "s" if len(tasks) > 1 else "", time.perf_counter() - start)
