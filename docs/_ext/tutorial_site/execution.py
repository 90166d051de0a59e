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
import shutil
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

from . import cache, failures, fingerprint, processes, seam, terminal
from .examples import FINGERPRINT_SUFFIX, MANIFEST_SUFFIX, NOT_BESIDE, Example, all_examples, is_selected
from .seam import read_images

logger = logging.getLogger(__name__)

#: Results of the examples run before sphinx-gallery's pass, by source path.
_results: dict[str, tuple] = {}
#: The examples that run in the Sphinx process during sphinx-gallery's pass, with the cache they go to.
_here: dict[str, tuple] = {}
#: This build's ``example_time_limit``.
_time_limit = 0.0
#: This build's ``leftover_processes`` is "warn": an example that leaves processes warns and is not current.
_strict_leftovers = False


# -- Which examples need running -------------------------------------------------------


def example_outputs(example: Example) -> list[str]:
    """The files a finished run of ``example`` left, relative to its gallery folder."""
    folder, stem = example.gallery_dir, example.stem
    names = {
        path.name
        for path in folder.glob(f"{glob.escape(stem)}.*")
        if not path.name.endswith((MANIFEST_SUFFIX, FINGERPRINT_SUFFIX, ".md5", ".new", ".restoring"))
    }
    page = example.generated_file(".rst")
    images = read_images(page.read_text(encoding="utf-8")) if page.is_file() else []
    names.update(f"images/{Path(image).name}" for image in images)
    if example.thumbnail.is_file():
        names.add(example.thumbnail.relative_to(folder).as_posix())
    return sorted(names)


def why_run(example: Example, conf: dict, parts: dict | None = None) -> str | None:
    """Why ``example`` must run in this build, or None when its outputs are current.

    With ``parts`` (its fingerprint's components, :mod:`.fingerprint`), the
    outputs are current only if they were made under that same fingerprint;
    the reason then names what changed.
    """
    if not seam.is_run(example.source, conf):
        return None  # not run in this build (html-noplot, EXAMPLE=...)
    if parts is not None:
        try:
            made_under = json.loads(example.fingerprint_record.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            made_under = None
        if not isinstance(made_under, dict):
            return "it has not run here yet" if not example.checksum_file.is_file() else "its outputs have no fingerprint"
        if made_under != parts:
            return ", ".join(fingerprint.changes(made_under, parts)) or "its fingerprint changed"
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


def cost_of(example: Example, recorded: dict[str, float] | None = None, name: str = "") -> float:
    """The seconds ``example`` is expected to take: recorded in the cache, or by its last run here, or guessed."""
    if recorded and name in recorded:
        return recorded[name]
    return seam.recorded_cost(example.target) or guess_cost(example.source)


def examples_to_run(app: Sphinx) -> list[Example]:
    """The examples that need running, longest first (by their last run's cost)."""
    conf = app.config.sphinx_gallery_conf
    pending = []
    for example in all_examples(app):
        reason = why_run(example, conf)
        if reason is None:
            continue
        logger.verbose("%s runs: %s", example.name, reason)
        pending.append((cost_of(example), example.name, example))
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
    try:
        tree = ast.parse(script.read_bytes())
    except (SyntaxError, ValueError):
        return scale  # sphinx-gallery reports the error when it runs the example
    statements = sum(isinstance(node, ast.stmt) for node in ast.walk(tree))
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
    task.checksum_file.unlink(missing_ok=True)
    task.manifest.unlink(missing_ok=True)
    task.fingerprint_record.unlink(missing_ok=True)
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
    if left and _strict_leftovers:
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
            result = seam.generate_file_rst(task.name, task.gallery_dir, task.examples_dir, conf)
        except SystemExit as exc:
            outcome = ("exit", exc.code, failures.example_traceback(exc, task.source))
        else:
            show_output_as_text(task)
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
        result = run_here(task, gallery_conf)
        store_results(folder, [item], {task.key: result})
        return result
    if why_run(task, gallery_conf) is not None:
        if not runs_in_parallel(task):
            return run_here(task, gallery_conf)
        return run_examples([task], gallery_conf, 1, _time_limit)[task.key]
    return seam.generate_file_rst(fname, target_dir, src_dir, gallery_conf)


def runs_in_parallel(example: Example) -> bool:
    """False for an example that says ``# sphinx_gallery_parallel = False``: it runs in the Sphinx process."""
    try:
        return seam.file_settings(example.source).get("parallel", True) is not False
    except (SyntaxError, ValueError, OSError):
        return True  # it fails when it runs, and says why


def run_here(task: Example, conf: dict) -> tuple:
    """Run ``task`` in this process, as sphinx-gallery runs it, and list its outputs as a forked run does."""
    task.checksum_file.unlink(missing_ok=True)
    task.manifest.unlink(missing_ok=True)
    task.fingerprint_record.unlink(missing_ok=True)
    (task.gallery_dir / "images" / "thumb").mkdir(parents=True, exist_ok=True)
    result = seam.generate_file_rst(task.name, task.gallery_dir, task.examples_dir, conf)
    show_output_as_text(task)
    result = failures.check_finite(task, result)
    if result[3].get("passing"):
        task.manifest.write_text(json.dumps(example_outputs(task)), encoding="utf-8")
    return result


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


def write_fingerprint_record(example: Example, parts: dict) -> None:
    scratch = example.fingerprint_record.with_name(example.fingerprint_record.name + ".new")
    scratch.write_text(json.dumps(parts, sort_keys=True), encoding="utf-8")
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
        _remove_old_outputs(item.example)
        cache.restore(entry, item.example.gallery_dir)
        write_fingerprint_record(item.example, item.parts)
        logger.verbose("%s: published from the execution cache (%s)", item.example.name, item.reason)
    return left, damaged


def _remove_old_outputs(example: Example) -> None:
    """Delete the outputs the example's last run here listed (a restored entry may have fewer)."""
    try:
        listed = json.loads(example.manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    for name in listed if isinstance(listed, list) else ():
        if isinstance(name, str) and ".." not in Path(name).parts:
            (example.gallery_dir / name).unlink(missing_ok=True)


def store_results(folder: Path, ran: list[Pending], results: dict[str, tuple]) -> int:
    """Record and cache the outputs of every example that passed; return how many were stored."""
    stored = 0
    for item in ran:
        result = results.get(item.example.key)
        if not result or not result[3].get("passing") or not item.example.manifest.is_file():
            continue
        write_fingerprint_record(item.example, item.parts)
        names = [*json.loads(item.example.manifest.read_text(encoding="utf-8")),
                 item.example.checksum_file.name, item.example.manifest.name]
        try:
            stored += cache.store(folder, item.key, item.parts, item.example.gallery_dir, names, result[2][0])
        except OSError as error:
            logger.warning("%s ran, but its outputs could not be stored in the execution cache %s: %s",
                           item.example.name, folder, error)
    return stored


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/3"`` -> (2, 3): the second of three shards."""
    index, _, count = text.partition("/")
    try:
        i, n = int(index), int(count)
    except ValueError:
        i = n = 0
    if not 1 <= i <= n:
        raise ValueError(f"SHARD={text} is not a shard: write SHARD=i/N with 1 <= i <= N, e.g. SHARD=2/3")
    return i, n


def partition(costs: dict[str, float], shards: int) -> list[list[str]]:
    """Split the examples over ``shards``: longest first, each onto the least-loaded shard.

    The same costs give the same partition on every machine (ties are
    broken by name, then by shard number).
    """
    loads = [0.0] * shards
    parts: list[list[str]] = [[] for _ in range(shards)]
    for name, cost in sorted(costs.items(), key=lambda item: (-item[1], item[0])):
        lightest = min(range(shards), key=lambda j: (loads[j], j))
        parts[lightest].append(name)
        loads[lightest] += cost
    return parts


def run_pending_examples(app: Sphinx) -> None:
    """Publish what the cache has, then run every example that still needs it, before sphinx-gallery's pass.

    ``example_shard`` ("i/N", ``make examples SHARD=i/N``) instead runs only
    this shard's share of the examples that have no entry in the cache,
    stores their entries and stops the build. ``execute = "never"``
    (``EXECUTE=never``) runs nothing and fails naming every example that
    would need running.
    """
    global _time_limit, _strict_leftovers
    conf = app.config.sphinx_gallery_conf
    _time_limit = app.config.example_time_limit
    _strict_leftovers = app.config.leftover_processes == "warn"
    _results.clear()
    _here.clear()
    fingerprint.new_build()
    if not conf.get("plot_gallery"):
        return
    if app.config.execute not in ("auto", "never", "prune") and not app.config.execute.startswith("plan:"):
        logger.error("execute = %r (EXECUTE=%s) is not a way to execute: use EXECUTE=auto (run what the "
                     "cache lacks, the default) or EXECUTE=never (run nothing)", app.config.execute, app.config.execute)
        raise SystemExit(2)
    folder = cache_folder(app)
    if app.config.execute == "prune":
        prune_cache(app, folder)
        return
    if app.config.execute.startswith("plan:"):
        write_plan(app, folder, app.config.execute.removeprefix("plan:"))
        return
    if app.config.example_shard:
        run_shard(app, folder)
        return
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
    _here.update((item.example.key, (item, folder)) for item in left if not runs_in_parallel(item.example))
    forked = [item for item in left if item.example.key not in _here]
    if forked:
        _results.update(execute(app, [item.example for item in forked]))
        store_results(folder, forked, _results)


def execute(app: Sphinx, tasks: list[Example]) -> dict[str, tuple]:
    """Run ``tasks`` in processes of their own (in this order), ``parallel_examples`` at a time."""
    conf = app.config.sphinx_gallery_conf
    workers = max(1, min(worker_count(app), len(tasks)))
    start = time.perf_counter()
    preload(tuple(app.config.example_preload), tasks)
    logger.info(
        "running %d example%s, each in a process of its own, %d at a time",
        len(tasks), "s" if len(tasks) > 1 else "", workers,
    )
    results = run_examples(tasks, conf, workers, _time_limit)
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


def missing_from_cache(app: Sphinx, folder: Path) -> tuple[list[Pending], dict[str, str]]:
    """Every example that is run in this build and has no valid entry in the cache; and every fingerprint."""
    conf = app.config.sphinx_gallery_conf
    missing, keys = [], {}
    for example in all_examples(app):
        if not seam.is_run(example.source, conf):
            continue
        name, parts = fingerprinted(app, example)
        key = keys[name] = fingerprint.key(parts)
        try:
            if cache.lookup(folder, key, parts) is not None:
                continue
        except cache.Damaged as error:
            logger.info("%s: its entry in the execution cache is damaged (%s); it runs again", example.name, error)
        missing.append(Pending(example, name, parts, key, "no entry in the execution cache"))
    return missing, keys


def shares(folder: Path, missing: list[Pending], count: int) -> tuple[list[list[str]], dict[str, float]]:
    """The partition of ``missing`` over ``count`` shards, by the run times the cache recorded (or guesses).

    Only what every machine sees alike counts: the cache and the sources, not
    a checkout's own record of its last run.
    """
    recorded = cache.recorded_times(folder)
    costs = {item.name: recorded.get(item.name) or guess_cost(item.example.source) for item in missing}
    return partition(costs, count), costs


def write_plan(app: Sphinx, folder: Path, shards: str) -> None:
    """Write every example's fingerprint and the partition of the missing ones (``make plan``), and stop."""
    try:
        count = parse_shard(f"1/{shards}")[1]
    except ValueError as error:
        logger.error("SHARDS=%s is not a number of shards: %s", shards, error)
        raise SystemExit(2) from None
    missing, keys = missing_from_cache(app, folder)
    parts, costs = shares(folder, missing, count)
    plan_dir = Path(app.outdir)
    plan_dir.mkdir(parents=True, exist_ok=True)
    # One line per example: the workflow's cache key is the hash of this file.
    (plan_dir / "fingerprints.txt").write_text("".join(f"{keys[name]} {name}\n" for name in sorted(keys)),
                                               encoding="utf-8")
    plan = {"fingerprints": keys, "missing": sorted(costs), "shards": [
        {"shard": f"{i}/{count}", "examples": share, "seconds": round(sum(costs[n] for n in share), 2)}
        for i, share in enumerate(parts, 1)]}
    (plan_dir / "plan.json").write_text(json.dumps(plan, indent=1), encoding="utf-8")
    logger.info("%d of %d examples are missing from the execution cache %s", len(missing), len(keys), folder)
    for share in plan["shards"]:
        logger.info("  shard %s: %.1f s: %s", share["shard"], share["seconds"], ", ".join(share["examples"]) or "-")
    raise SystemExit(0)


def planned_shares(path: Path, count: int) -> list[list[str]]:
    """The shares of a plan written by :func:`write_plan` for ``count`` shards."""
    try:
        plan = json.loads(path.read_text(encoding="utf-8"))
        shards = [list(share["examples"]) for share in plan["shards"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        logger.error("PLAN=%s is not a plan written by make plan (%s): write one with make plan SHARDS=%d",
                     path, error, count)
        raise SystemExit(2) from None
    if len(shards) != count:
        logger.error("PLAN=%s splits the examples into %d shards, not %d: write it with make plan SHARDS=%d",
                     path, len(shards), count, count)
        raise SystemExit(2)
    return shards


def prune_cache(app: Sphinx, folder: Path) -> None:
    """Remove the cache's entries that no current example uses (``make prune-cache``), and stop the build."""
    keep = {fingerprint.key(fingerprinted(app, example)[1]) for example in all_examples(app)}
    removed = cache.prune(folder, keep)
    logger.info("execution cache %s: removed %d entr%s, kept %d", folder, len(removed),
                "y" if len(removed) == 1 else "ies", len(keep & {p.name for p in folder.iterdir()}) if folder.is_dir() else 0)
    raise SystemExit(0)


def run_shard(app: Sphinx, folder: Path) -> None:
    """Run this shard's share of the examples missing from the cache, store them, and stop the build."""
    try:
        index, count = parse_shard(app.config.example_shard)
    except ValueError as error:
        logger.error("%s", error)
        raise SystemExit(2) from None
    missing, _ = missing_from_cache(app, folder)
    parts, costs = shares(folder, missing, count)
    if app.config.example_plan:
        # The partition the plan made (make plan), whatever this machine's cache holds.
        parts = planned_shares(Path(app.config.example_plan), count)
    mine = set(parts[index - 1])
    share = sorted((item for item in missing if item.name in mine),
                   key=lambda item: (costs[item.name], item.name), reverse=True)
    logger.info("shard %d/%d: %d of the %d examples missing from the execution cache %s: %s", index, count,
                len(share), len(missing), folder, ", ".join(item.name for item in share) or "none")
    results = execute(app, [item.example for item in share]) if share else {}
    stored = store_results(folder, share, results)
    failed = sum(1 for item in share if not (results.get(item.example.key) or (0, 0, 0, {}))[3].get("passing"))
    logger.info("shard %d/%d: stored %d entr%s; %d example%s failed", index, count, stored,
                "y" if stored == 1 else "ies", failed, "" if failed == 1 else "s")
    # Nothing else is built: the pages come from one ordinary build that reads the cache.
    raise SystemExit(1 if failed else 0)
