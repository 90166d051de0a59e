"""Run every example in a process of its own, and report every way one can end.

sphinx-gallery runs the examples one after another inside the Sphinx process,
so whatever an example does to the process (a default dtype, a global seed,
an ``os._exit``, a segfault, a C call that never returns) reaches the other
examples or the build itself. Here no example ever runs in the Sphinx
process:

* **One forked process per example.** The Sphinx process first imports the
  heavy libraries the examples share (``example_preload``, those of them
  that an example to be run imports), runs nothing with them, and then forks one child per example that needs
  running, ``parallel_examples`` at a time, longest first. Each child
  starts from that same clean state and calls sphinx-gallery's own
  ``generate_file_rst``, which writes everything sphinx-gallery would: the
  page's source, figures, thumbnail, notebook, checksum and measured cost.
  The child sends its result back; sphinx-gallery's pass then receives it
  through :func:`.driver.generate_file_rst`, which stands in for
  sphinx-gallery's, so the galleries are assembled as usual. One worker or many, every example
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
  example fails once, by name, and is never run a second time. What it
  leaves running is ended (:mod:`.processes`).
* **As sphinx-gallery where an example asks.** An example that says
  ``# sphinx_gallery_parallel = False`` runs in the Sphinx process, during
  sphinx-gallery's pass, as sphinx-gallery runs it (:func:`run_here`).
* **Nothing half-done is trusted.** Before an example runs, its checksum and
  its list of outputs are deleted; the child writes that list
  (``.example_runs/<name>.outputs.json``) last, once every output is on disk. An example
  whose list is missing, or one of whose listed outputs is gone, runs again:
  so an interrupted run or a deleted figure, notebook or thumbnail heals.

A library that starts threads when imported is better left out of
``example_preload``: the children forked from a parent that imported it can
run slower, or hang on a lock a thread held at the fork.

Children are forked, so this needs a platform with ``fork`` (Linux, macOS).
"""

from __future__ import annotations

import contextlib
import faulthandler
import importlib
import itertools
import json
import multiprocessing
import multiprocessing.connection
import os
import pickle
import resource
import shutil
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from . import failures, printed, processes, provenance, seam, terminal, uses
from .examples import NOT_BESIDE, Example
from .imports import imported_modules
from .staleness import example_outputs


@dataclass(frozen=True)
class Rules:
    """How this build treats what an example does beyond plotting (conf.py's settings)."""

    #: ``example_time_limit``: seconds before an example's process is stopped (0: none).
    time_limit: float = 0.0
    #: ``leftover_processes = "warn"``: an example that leaves processes running warns and stays not current.
    warn_leftovers: bool = False
    #: ``nonfinite_output = "fail"``: an example that prints nan or inf fails.
    nonfinite_fails: bool = False
    #: ``example_output_lines``, ``example_output_characters``: how much of each printed output a page shows.
    output_limits: printed.Limits = printed.Limits()


#: This build's rules (set by :func:`set_rules`; the forked children inherit them).
rules = Rules()


def set_rules(config) -> None:
    global rules
    rules = Rules(float(config.example_time_limit), config.leftover_processes == "warn",
                  config.nonfinite_output == "fail",
                  printed.Limits(int(config.example_output_lines), int(config.example_output_characters)))


def list_outputs(task: Example) -> None:
    """Write the list of ``task``'s outputs, last: from now on its run counts as finished."""
    task.manifest.parent.mkdir(parents=True, exist_ok=True)
    task.manifest.write_text(json.dumps(example_outputs(task)), encoding="utf-8")


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
                    elapsed = time.monotonic() - child.started
                    left = processes.end_leftovers(child.process.pid)  # before the child is reaped
                    child.process.join()
                    results[child.task.key] = _finish(child, conf, elapsed, left=left)
                if time_limit > 0:
                    now = time.monotonic()
                    for sentinel, child in list(running.items()):
                        if now - child.started >= time_limit:
                            del running[sentinel]
                            elapsed, left = _stop(child)
                            results[child.task.key] = _finish(child, conf, elapsed, time_limit, left=left)
        finally:
            for child in running.values():  # interrupted: leave nothing of any example running
                processes.kill_group(child.process.pid)
                child.process.join()
    return results


def _start(context, task: Example, conf: dict, folder: Path) -> _Child:
    folder.mkdir()
    (task.gallery_dir / "images" / "thumb").mkdir(parents=True, exist_ok=True)
    # Whatever happens from here on, this example runs again next time
    # unless its child finishes and lists its outputs.
    task.forget_run()
    process = context.Process(target=_child_main, args=(task, conf, folder), name=task.name)
    process.start()
    processes.adopt(process.pid)  # its own process group, for it and whatever it starts
    return _Child(task, process, folder, time.monotonic())


def _stop(child: _Child) -> tuple[float, list[processes.Leftover]]:
    """Stop a child that ran past the time limit; return how long it ran, and what it left running.

    On SIGABRT the child's faulthandler writes where it is, then the process
    ends: once it has ended, the whole dump is on disk. (Asked with a signal
    it survives, and killed as soon as the dump had begun, a child on a busy
    machine could be killed halfway through writing it, before the line of
    the example.) A child that outlives SIGABRT by 2 s is killed. Then
    whatever else still runs in its process group is ended.
    """
    with contextlib.suppress(ProcessLookupError):
        os.kill(child.process.pid, signal.SIGABRT)
    ended = multiprocessing.connection.wait([child.process.sentinel], 2.0)
    elapsed = time.monotonic() - child.started
    if not ended:
        child.process.kill()
        multiprocessing.connection.wait([child.process.sentinel])
    left = processes.end_leftovers(child.process.pid)  # before the child is reaped
    child.process.join()
    return elapsed, left


def _finish(child: _Child, conf: dict, elapsed: float, time_limit: float = 0.0,
            left: list[processes.Leftover] = ()) -> tuple:
    """sphinx-gallery's result for a child that ended, logging a failure and what it left running."""
    task = child.task
    if left and rules.warn_leftovers:
        failures.warn_left_running(task, left)
        # Without its list of outputs it is not current: it is not cached, and runs again next time.
        task.manifest.unlink(missing_ok=True)
    elif left:
        failures.note_left_running(task, left)
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
    processes.lead_own_group()  # what the example starts is ended with it
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
    # It runs in a copy of its folder: it reads the files beside it, and what it writes stays out of the checkout.
    workdir = working_directory(task, folder / "cwd")
    seam.run_in(workdir, task.examples_dir)
    outcome: tuple
    try:
        try:
            result = run_recorded(task, conf)
        except SystemExit as exc:
            outcome = ("exit", exc.code, failures.example_traceback(exc, task.source))
        else:
            result = finish_page(task, result)
            outcome = ("done", result)
    except BaseException as exc:  # noqa: BLE001 - reported by the Sphinx process
        outcome = ("raised", "".join(traceback.format_exception(exc)))
    scratch = folder / "outcome.pickle.new"
    scratch.write_bytes(pickle.dumps(outcome))
    scratch.replace(folder / "outcome.pickle")
    sys.stdout.flush()
    sys.stderr.flush()
    exit_now(0)


def run_recorded(task: Example, conf: dict) -> tuple:
    """Run ``task`` with sphinx-gallery's ``generate_file_rst`` here, and record where, when and with what."""
    with uses.Recorder() as used:
        result = seam.generate_file_rst(task.name, task.gallery_dir, task.examples_dir, conf)
    provenance.write_record(task, used.modules, result[2][0])
    return result


def finish_page(task: Example, result: tuple) -> tuple:
    """What follows a run: printed output as a terminal shows it and within the limits, where it ran, the
    checks; then, if it passed, the list of its outputs, which makes it current."""
    show_output_as_text(task)
    printed.bound_page(task, rules.output_limits)
    provenance.mark_page(task)
    if rules.nonfinite_fails:
        result = failures.check_finite(task, result)
    if result[3].get("passing"):
        list_outputs(task)
    return result


def show_output_as_text(task: Example) -> None:
    """Rewrite the example's generated page with its printed output as a terminal shows it (:mod:`.terminal`)."""
    page = task.generated_file(".rst")
    if page.is_file():
        rst = page.read_text(encoding="utf-8")
        shown = terminal.as_shown(rst)
        if shown != rst:
            page.write_text(shown, encoding="utf-8")


def working_directory(task: Example, workdir: Path) -> Path:
    """A copy of the example's folder (without caches) for it to run in."""
    shutil.copytree(task.examples_dir, workdir, symlinks=True, ignore=shutil.ignore_patterns(*NOT_BESIDE))
    return workdir


def _die_with_parent() -> None:
    """Linux: have the kernel kill this child if the Sphinx process dies first."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def runs_in_parallel(example: Example) -> bool:
    """False for an example that says ``# sphinx_gallery_parallel = False``: it runs in the Sphinx process."""
    try:
        return seam.file_settings(example.source).get("parallel", True) is not False
    except (SyntaxError, ValueError, OSError):
        return True  # it fails when it runs, and says why


def run_here(task: Example, conf: dict) -> tuple:
    """Run ``task`` in this process, as sphinx-gallery runs it, and list its outputs as a forked run does."""
    task.forget_run()
    (task.gallery_dir / "images" / "thumb").mkdir(parents=True, exist_ok=True)
    uses.warm()
    return finish_page(task, run_recorded(task, conf))
