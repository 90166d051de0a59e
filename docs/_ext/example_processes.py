"""Run every example in a process of its own, and report every way one can end.

sphinx-gallery runs the examples one after another inside the Sphinx process,
so whatever an example does to the process (a default dtype, a global seed,
an ``os._exit``, a segfault, a C call that never returns) reaches the other
examples or the build itself. Here no example ever runs in the Sphinx
process:

* **One forked process per example.** The Sphinx process first imports the
  heavy libraries the examples share (``example_preload``: numpy, matplotlib,
  torch), runs nothing with them, and then forks one child per example that
  needs running, ``parallel_examples`` at a time, longest first. Each child
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
  which the child is killed, C code and all, and the message gives the limit,
  the time it ran and where it was. The example fails the build once, by
  name (see ``gallery_guard``), and is never run a second time.
* **Wrong numbers fail too.** An example whose printed output contains
  ``nan`` or ``inf`` fails, naming the line, unless its source says
  ``# sphinx_gallery_allow_nonfinite = True``.
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
import itertools
import json
import multiprocessing
import multiprocessing.connection
import os
import pickle
import re
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from textwrap import indent
from typing import Any

import sphinx_gallery.gen_rst as gen_rst
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx_gallery.gen_rst import _read_cached_cost, executable_script
from sphinx_gallery.py_source_parser import split_code_and_text_blocks
from sphinx_gallery.utils import _collect_gallery_files, get_md5sum

from gallery_guard import gallery_paths, imported_modules
from tutorial_gallery import read_images, read_script_output

logger = logging.getLogger(__name__)

#: sphinx-gallery's own function, which the children call.
_generate_file_rst = gen_rst.generate_file_rst

#: Results of the examples run before sphinx-gallery's pass, by source path.
_results: dict[str, tuple] = {}
#: This build's ``example_time_limit``.
_time_limit = 0.0

#: Written last by a child, listing the example's outputs (relative paths).
MANIFEST_SUFFIX = ".outputs.json"

#: The per-file setting that lets an example print nan or inf.
ALLOW_NONFINITE = "allow_nonfinite"

_NONFINITE = re.compile(r"(?<![\w.])[-+]?(?:nan|inf|infinity)(?![\w.])", re.IGNORECASE)


# -- Which examples need running -------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """One example script and the gallery folder its outputs go to."""

    fname: str
    gallery_dir: Path
    examples_dir: Path

    @property
    def source(self) -> Path:
        return self.examples_dir / self.fname

    @property
    def target(self) -> Path:
        return self.gallery_dir / self.fname

    @property
    def key(self) -> str:
        """How sphinx-gallery names the example in its bookkeeping."""
        return os.path.normpath(self.source)

    @property
    def manifest(self) -> Path:
        return self.gallery_dir / f"{self.target.stem}{MANIFEST_SUFFIX}"


def example_outputs(task: Task) -> list[str]:
    """The files a finished run of ``task`` left, relative to its gallery folder."""
    folder, stem = task.gallery_dir, task.target.stem
    names = {
        path.name
        for path in folder.glob(f"{glob.escape(stem)}.*")
        if not path.name.endswith((MANIFEST_SUFFIX, ".md5", ".new"))
    }
    page = task.target.with_suffix(".rst")
    images = read_images(page.read_text(encoding="utf-8")) if page.is_file() else []
    names.update(f"images/{Path(image).name}" for image in images)
    thumbnail = folder / "images" / "thumb" / f"sphx_glr_{stem}_thumb.png"
    if thumbnail.is_file():
        names.add(thumbnail.relative_to(folder).as_posix())
    return sorted(names)


def why_run(task: Task, conf: dict) -> str | None:
    """Why ``task`` must run in this build, or None when its outputs are current."""
    if not executable_script(str(task.source), conf):
        return None  # not run in this build (html-noplot, EXAMPLE=...)
    checksum = Path(f"{task.target}.md5")
    if not checksum.is_file() or checksum.read_text() != get_md5sum(task.source, mode="t"):
        return "its source changed"
    if not task.manifest.is_file():
        return "its last run did not finish"
    try:
        listed = json.loads(task.manifest.read_text(encoding="utf-8"))
    except ValueError:
        return "its list of outputs is unreadable"
    missing = [name for name in listed if not (task.gallery_dir / name).is_file()]
    if missing:
        return f"{missing[0]} is missing"
    return None


def examples_to_run(app: Sphinx) -> list[Task]:
    """The examples that need running, longest first (by their last run's cost)."""
    conf = app.config.sphinx_gallery_conf
    pending = []
    for examples_dir, gallery_dir in gallery_paths(app):
        for fname in _collect_gallery_files([examples_dir], conf):
            task = Task(fname, gallery_dir, examples_dir)
            reason = why_run(task, conf)
            if reason is None:
                continue
            logger.verbose("%s runs: %s", fname, reason)
            cost = _read_cached_cost(task.target)[0] or guess_cost(task.source)
            pending.append((cost, fname, task))
    return [task for _, _, task in sorted(pending, key=lambda item: item[:2], reverse=True)]


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


def preload(modules: tuple[str, ...], tasks: list[Task]) -> list[str]:
    """Import those ``modules`` that the examples of ``tasks`` use; return their names.

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
    task: Task
    process: Any
    folder: Path
    started: float


def run_examples(tasks: list[Task], conf: dict, workers: int, time_limit: float) -> dict[str, tuple]:
    """Run each task in a forked process of its own, ``workers`` at a time.

    Returns sphinx-gallery's result for each, by :attr:`Task.key`; failures
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


def _start(context, task: Task, conf: dict, folder: Path) -> _Child:
    folder.mkdir()
    (task.gallery_dir / "images" / "thumb").mkdir(parents=True, exist_ok=True)
    # Whatever happens from here on, this example runs again next time
    # unless its child finishes and lists its outputs.
    Path(f"{task.target}.md5").unlink(missing_ok=True)
    task.manifest.unlink(missing_ok=True)
    process = context.Process(target=_child_main, args=(task, conf, folder), name=task.fname)
    process.start()
    return _Child(task, process, folder, time.monotonic())


def _stop(child: _Child) -> float:
    """Ask the child where it is, then kill it; return how long it ran."""
    stack = child.folder / "stack.txt"
    with contextlib.suppress(ProcessLookupError):
        os.kill(child.process.pid, signal.SIGUSR1)  # faulthandler writes the stack
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline and not _read(stack).strip():
            time.sleep(0.02)
    elapsed = time.monotonic() - child.started
    child.process.kill()
    child.process.join()
    return elapsed


def _finish(child: _Child, conf: dict, elapsed: float, time_limit: float = 0.0) -> tuple:
    """sphinx-gallery's result for a child that ended, logging a failure."""
    task = child.task
    outcome = None
    with contextlib.suppress(OSError, EOFError, pickle.UnpicklingError):
        outcome = pickle.loads((child.folder / "outcome.pickle").read_bytes())
    stack = where_it_was(_read(child.folder / "stack.txt"), task.source)
    if time_limit:
        message = (
            f"{task.fname} ran for {elapsed:.1f} s, past the time limit of {time_limit:g} s per "
            "example, so its process was stopped (example_time_limit in conf.py; set "
            "EXAMPLE_TIME_LIMIT to change it, 0 for none)."
        )
        message += f"\nWhere it was when stopped:\n{stack}" if stack else ""
    elif outcome is None:
        code = child.process.exitcode
        if code is not None and code < 0:
            message = f"{task.fname} crashed: its process was killed by {describe_signal(-code)}."
            message += f"\nWhere it was:\n{stack}" if stack else ""
        else:
            message = (
                f"{task.fname} ended its process with exit status {code} before it finished "
                "(os._exit(), or exit() in C code); an example must run to its end."
            )
            message += f"\nWhere it was:\n{stack}" if stack else ""
        tail = _tail(_read(child.folder / "stderr.txt"))
        message += f"\nThe last lines it wrote to stderr:\n{indent(tail, '    ')}" if tail else ""
    elif outcome[0] == "exit":
        _, code, trace = outcome
        call = "sys.exit()" if code is None else f"sys.exit({code!r})"
        message = (
            f"{trace}{task.fname} called {call}, which ends the program before its "
            "page is complete; an example must run to its end."
        )
    elif outcome[0] == "raised":
        message = outcome[1]
    else:
        result = outcome[1]
        failure = result[3].get("formatted_exception")
        if failure:
            _log_failure(task, conf, failure)
        return result
    _log_failure(task, conf, message)
    return _page_without_output(task, conf, message)


def _page_without_output(task: Task, conf: dict, message: str) -> tuple:
    """The example's page as sphinx-gallery writes it unexecuted, marked as failed."""
    intro, title, _, out_vars = _generate_file_rst(
        task.fname, task.gallery_dir, task.examples_dir, {**conf, "plot_gallery": False}
    )
    out_vars.pop("stale", None)
    out_vars["formatted_exception"] = message
    return intro, title, (0.0, 0.0), out_vars


def _log_failure(task: Task, conf: dict, message: str) -> None:
    src_dir = conf["src_dir"]
    expected = {os.path.normpath(os.path.join(src_dir, path)) for path in conf["expected_failing_examples"]}
    where = os.path.relpath(task.key, src_dir)
    if task.key in expected:
        logger.info("%s failed, as expected:\n\n%s", where, indent(message, "    "))
    else:
        logger.warning("%s failed to execute correctly:\n\n%s", where, indent(message, "    "))


def describe_signal(number: int) -> str:
    try:
        name = signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
    meaning = signal.strsignal(number) or ""
    return f"signal {number} ({name}{', ' + meaning if meaning else ''})"


def where_it_was(dump: str, source: Path) -> str:
    """The part of a faulthandler dump that shows the example's own code running.

    faulthandler lists every thread, most recent call first. The thread
    running the example is the one with a frame in its file; its frames are
    kept down to the last one in the example (below that is sphinx-gallery).
    """
    name, ours = f'"{source}"', f'"{__file__}"'
    for block in re.split(r"\n(?=\S)", dump):
        lines = [line for line in block.splitlines()[1:] if ours not in line]
        hits = [i for i, line in enumerate(lines) if name in line]
        if hits:
            return "\n".join(lines[: hits[-1] + 1])
    return ""


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


# -- The child ------------------------------------------------------------------------------


def _child_main(task: Task, conf: dict, folder: Path) -> None:
    """Run one example in this forked process and leave the outcome in ``folder``."""
    _die_with_parent()
    # What the example or its libraries write to the terminal is kept for the
    # failure message; what it prints, sphinx-gallery captures for the page.
    log = os.open(folder / "stderr.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(log, 1)
    os.dup2(log, 2)
    stack = open(folder / "stack.txt", "w", encoding="utf-8")  # noqa: SIM115 - open until os._exit
    faulthandler.enable(stack, all_threads=True)
    faulthandler.register(signal.SIGUSR1, stack, all_threads=True)
    exit_now = os._exit

    def exit_showing_where(status: int) -> None:
        faulthandler.dump_traceback(stack, all_threads=False)
        exit_now(status)

    os._exit = exit_showing_where  # this process is the example's alone
    outcome: tuple
    try:
        try:
            result = _generate_file_rst(task.fname, task.gallery_dir, task.examples_dir, conf)
        except SystemExit as exc:
            outcome = ("exit", exc.code, example_traceback(exc, task.source))
        else:
            result = check_finite(task, result)
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


def example_traceback(exc: BaseException, source: Path) -> str:
    """A traceback of ``exc`` showing only the example's own frames."""
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == str(source)]
    return "Traceback (most recent call last):\n" + "".join(
        traceback.format_list(frames) + traceback.format_exception_only(exc)
    )


def check_finite(task: Task, result: tuple) -> tuple:
    """Turn a passing run that printed nan or inf into a failure, naming the line."""
    intro, title, cost, out_vars = result
    if not out_vars.get("passing"):
        return result
    file_conf, _ = split_code_and_text_blocks(str(task.source))
    if file_conf.get(ALLOW_NONFINITE):
        return result
    page = task.target.with_suffix(".rst").read_text(encoding="utf-8")
    for number, line in enumerate(read_script_output(page).splitlines(), 1):
        if _NONFINITE.search(line):
            Path(f"{task.target}.md5").unlink(missing_ok=True)  # run it again next time
            out_vars = {key: value for key, value in out_vars.items() if key != "passing"}
            out_vars["formatted_exception"] = (
                f"{task.fname} printed a number that is not finite (nan or inf), in line "
                f"{number} of its output:\n    {line.strip()}\n"
                "A loss that diverges teaches nothing; check the learning rate and the data. "
                "If the example means to show it, add this line to the example: "
                f"# sphinx_gallery_{ALLOW_NONFINITE} = True"
            )
            return intro, title, cost, out_vars
    return result


# -- Hooks ------------------------------------------------------------------------------------


def generate_file_rst(fname, target_dir, src_dir, gallery_conf):
    """sphinx-gallery's ``generate_file_rst``, but an example never runs in this process.

    An example run before sphinx-gallery's pass returns that run's result; one
    that still needs running runs now, in a process of its own; any other is
    handed to sphinx-gallery, which finds it up to date (or not to be run).
    """
    task = Task(str(fname), Path(target_dir), Path(src_dir))
    if task.key in _results:
        return _results.pop(task.key)
    if why_run(task, gallery_conf) is not None:
        return run_examples([task], gallery_conf, 1, _time_limit)[task.key]
    return _generate_file_rst(fname, target_dir, src_dir, gallery_conf)


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


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinx_gallery.gen_gallery")
    app.add_config_value("parallel_examples", os.cpu_count() or 1, "", int)
    app.add_config_value("example_threads", 1, "", int)
    app.add_config_value("example_time_limit", 120.0, "", (int, float))
    app.add_config_value("example_preload", ("numpy", "matplotlib.pyplot", "torch"), "", (tuple, list))
    gen_rst.generate_file_rst = generate_file_rst
    app.connect("config-inited", limit_threads)
    # After gallery_guard's checks (400, 450), before sphinx-gallery's pass (500).
    app.connect("builder-inited", run_pending_examples, priority=480)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
