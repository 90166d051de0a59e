"""What the tests share: the project's layout, builds, fingerprints, and running an example's code.

Test modules import what they need from here (never from conftest.py or from
each other); conftest.py holds only the fixtures.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import heapq
import http.server
import io
import itertools
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import tokenize
import warnings
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Callable
from urllib.parse import unquote, urlsplit

from gallery_runner.threads import THREAD_VARIABLES

# The build runs every example on one thread (conf.py: example_threads), and a
# float32 result can depend on the thread count, so runs compared with the
# site's pages use one thread too.
ONE_THREAD = {name: "1" for name in THREAD_VARIABLES}
# So does this process, where tests run the examples' code (set before numpy,
# torch or TensorFlow is imported). A second thread would gain little on such
# small arrays and would spin between operations, taking the CPU time of the
# runs in idle time. The builds it starts get the setting this process found
# (``build_env``): a build sizes its thread pools itself.
THREADS_AS_FOUND = {name: os.environ.get(name) for name in THREAD_VARIABLES}
os.environ.update(ONE_THREAD)

import numpy as np  # noqa: E402 (after the thread count is set)
from bs4 import BeautifulSoup  # noqa: E402

# The examples' figures are drawn off-screen, in this process and in builds.
os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parents[1]
#: The tiny numpy-only site the extension's integration tests build.
FIXTURE = ROOT / "tests" / "fixture_site"

# What the project's source is made of; everything else is generated.
PROJECT_FILES = ["conf.py", "requirements.txt", "pyproject.toml", "requirements-examples.txt", "docs", "gallery_runner",
                 *sorted(p.name for p in ROOT.glob("examples_*"))]
GENERATED = {"auto_examples", "sg_execution_times.rst", "__pycache__", "_build", "_inventories", "*.mo"}

#: The translations `make html` builds after English, each into <html>/<language>/: every
#: language with catalogs in docs/locales/ (Makefile: LANGUAGES).
LANGUAGES = sorted(path.name for path in (ROOT / "docs" / "locales").iterdir() if path.is_dir())

# Test builds are built like the published site: with an address and a
# repository (conf.py: site_url, repository_url). The address has a path, as
# a GitHub Pages project site does.
SITE_URL = "https://tutorial.example.org/learning-pytorch/"
SITE_PATH = "/learning-pytorch/"
REPOSITORY_URL = "https://github.com/example-owner/learning-pytorch"
HOSTED = {"SITE_URL": SITE_URL, "REPOSITORY_URL": REPOSITORY_URL}
# ...and without one, as a local `make html` is.
LOCAL = {"SITE_URL": "", "REPOSITORY_URL": ""}

#: Executed results handed to the tests (``make test EXECUTION_CACHE=DIR``; the workflow's test
#: job gets the site job's): the session's ``site`` build publishes from them instead of running
#: the examples again. Every other build executes, with a cache of its own (taken out of the
#: environment here, so that no test build reads it by accident).
REUSED_CACHE = Path(os.environ.pop("EXECUTION_CACHE")).resolve() if os.environ.get("EXECUTION_CACHE") else None


def execution_cache(site: Site) -> Path:
    """The execution cache that holds the results ``site`` published."""
    return REUSED_CACHE or site.project / "_build" / "execution-cache"

# The tutorial as the specification orders it: (examples folder, file, section title).
TUTORIAL = [
    ("examples_tensor", "two_layer_net_numpy.py", "Warm-up: numpy"),
    ("examples_tensor", "two_layer_net_tensor.py", "PyTorch: Tensors"),
    ("examples_autograd", "two_layer_net_autograd.py", "PyTorch: Autograd"),
    ("examples_autograd", "two_layer_net_custom_function.py", "PyTorch: Defining new autograd functions"),
    ("examples_autograd", "tf_two_layer_net.py", "TensorFlow: Static Graphs"),
    ("examples_nn", "two_layer_net_nn.py", "PyTorch: nn"),
    ("examples_nn", "two_layer_net_optim.py", "PyTorch: optim"),
    ("examples_nn", "two_layer_net_module.py", "PyTorch: Custom nn Modules"),
    ("examples_nn", "dynamic_net.py", "PyTorch: Control Flow + Weight Sharing"),
]
# Beyond the tutorial: the Comparison gallery.
COMPARISON = [
    ("examples_comparison", "all_nine_methods.py", "All nine methods, side by side"),
    ("examples_comparison", "accelerator_speedup.py", "How much faster on an accelerator?"),
]
# Every example of the site, in site order.
EXAMPLES = TUTORIAL + COMPARISON
# Where each examples folder's gallery is generated, relative to docs/.
GALLERY = {
    "examples_tensor": "auto_examples/tensor",
    "examples_autograd": "auto_examples/autograd",
    "examples_nn": "auto_examples/nn",
    "examples_comparison": "auto_examples/comparison",
}


def copy_project(dest: Path) -> Path:
    """Copy the project's sources (not its generated files) into ``dest``."""
    ignore = shutil.ignore_patterns(*GENERATED)
    for name in PROJECT_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        else:
            shutil.copy2(src, dest / name)
    return dest


# Where each of the fixture site's examples folders is generated, relative to its docs/.
FIXTURE_GALLERY = {"examples_line": "auto_examples/line", "examples_curve": "auto_examples/curve"}


def copy_fixture_site(dest: Path) -> Path:
    """Copy the fixture site's sources into ``dest``, with the project's requirements.txt and pyproject.toml."""
    shutil.copytree(FIXTURE, dest, ignore=shutil.ignore_patterns(*GENERATED), dirs_exist_ok=True)
    shutil.copy2(ROOT / "requirements.txt", dest / "requirements.txt")
    shutil.copy2(ROOT / "pyproject.toml", dest / "pyproject.toml")
    return dest


@functools.cache
def no_network() -> list[str]:
    """A command prefix that runs a program without any network, if allowed here.

    ``unshare -n`` (Linux, as root) gives the program a network namespace of
    its own with nothing in it. Elsewhere the prefix is empty.
    """
    if shutil.which("unshare"):
        if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0:
            return ["unshare", "-n"]
    return []


def build_env(**extra: str) -> dict:
    """The environment of a test build: this one, Agg, built as the published site, plus ``extra``.

    The thread counts are those this process found, not the one thread it set for itself.
    """
    env = {name: value for name, value in os.environ.items() if name not in THREADS_AS_FOUND}
    env.update({name: value for name, value in THREADS_AS_FOUND.items() if value is not None})
    return {**env, "MPLBACKEND": "Agg", **HOSTED, **extra}


#: What Sphinx prints when an exception reaches it: a crash report, which no build of this project may print.
CRASH_REPORT = re.compile(r"Exception occurred|Extension error|The full traceback has been saved|"
                          r"Please also report this if it was a user error")


def build_site(
    project: Path,
    *options: str,
    env: dict | None = None,
    timeout: float = 900,
    strict: bool = True,
    python_options: tuple[str, ...] = (),
    languages: tuple[str, ...] | list[str] = (),
) -> subprocess.CompletedProcess:
    """Run the same build as ``make html`` (tools/sphinx_build.py) on a project copy, offline.

    The HTML lands in ``project/_build/html``, the doctrees in
    ``project/_build/doctrees``. It is built as the published site is
    (``HOSTED``); ``env`` adds or overrides environment variables;
    ``strict=False`` drops ``make html``'s ``-W --keep-going``;
    ``python_options`` go to the Python that runs Sphinx (``-X importtime``);
    ``languages`` are built after English as ``make html`` builds them, into
    ``_build/html/<language>`` (the result is the first that failed, or the last).
    """
    sphinx = [*no_network(), sys.executable, *python_options, str(ROOT / "tools" / "sphinx_build.py")]
    strictness = ["-W", "--keep-going"] if strict else []
    # conf.py at the project's top, the pages in docs/ (Makefile: CONFDIR, SOURCEDIR).
    commands = [[*sphinx, "-M", "html", str(project / "docs"), str(project / "_build"), "-c", str(project),
                 *strictness, *options]]
    commands += [
        [*sphinx, "-b", "html", "-D", f"language={language}", str(project / "docs"),
         str(project / "_build" / "html" / language), "-d", str(project / "_build" / f"doctrees-{language}"),
         "-c", str(project), *strictness, *options]
        for language in languages
    ]
    env = build_env(**(env or {}))
    printed = ("", "")
    for cmd in commands:
        result = run_program(cmd, capture_output=True, text=True, env=env, cwd=project, timeout=timeout)
        result.stdout, result.stderr = printed[0] + result.stdout, printed[1] + result.stderr
        printed = (result.stdout, result.stderr)
        if result.returncode:
            break
    # Whatever went wrong, the build said so in words: every test that builds checks it.
    crash = CRASH_REPORT.search(result.stdout + result.stderr)
    assert crash is None, f"the build printed Sphinx's crash report:\n{(result.stdout + result.stderr)[-4000:]}"
    return result


class Pool:
    """Threads for jobs that tests need later, where the most urgent waiting job starts first.

    ``submit(job, *args, urgency=0)`` returns the job's future. When a thread
    is free, the waiting job with the lowest ``urgency`` starts, the first
    submitted among equals: a job at the head of a long chain (a build, then
    its audit) or one that tests wait for sooner overtakes those merely
    submitted before it.
    """

    def __init__(self, workers: int = 2, initializer: Callable[[], None] | None = None):
        self._threads = ThreadPoolExecutor(max_workers=workers, initializer=initializer)
        self._free = workers
        self._waiting: list[tuple] = []  # a heap of (urgency, order, future, job, args, kwargs)
        self._order = itertools.count()
        self._lock = threading.Lock()

    def submit(self, job: Callable, *args, urgency: int = 0, **kwargs) -> Future:
        future: Future = Future()
        with self._lock:
            heapq.heappush(self._waiting, (urgency, next(self._order), future, job, args, kwargs))
        self._start_waiting_jobs()
        return future

    def shutdown(self) -> None:
        """Cancel the jobs still waiting; let the running ones end."""
        with self._lock:
            waiting, self._waiting = self._waiting, []
        for _, _, future, *_ in waiting:
            future.cancel()
        self._threads.shutdown()

    def _start_waiting_jobs(self) -> None:
        while True:
            with self._lock:
                if not (self._free and self._waiting):
                    return
                self._free -= 1
                _, _, future, job, args, kwargs = heapq.heappop(self._waiting)
            if future.set_running_or_notify_cancel():
                self._threads.submit(self._run, future, job, args, kwargs)
            else:
                with self._lock:
                    self._free += 1

    def _run(self, future: Future, job: Callable, args: tuple, kwargs: dict) -> None:
        try:
            result = job(*args, **kwargs)
        except BaseException as error:
            future.set_exception(error)
        else:
            future.set_result(result)
        finally:
            with self._lock:
                self._free += 1
            self._start_waiting_jobs()


def idle_time_pool(workers: int = 2) -> Pool:
    """A ``Pool`` of threads at the lowest CPU priority.

    Each thread lowers its own priority (on Linux a thread's nice value is its
    own), and every process it starts inherits it: what runs there takes only
    the CPU time that the tests in the foreground leave idle. Elsewhere the
    threads run at normal priority.
    """
    def lowest_priority() -> None:
        with contextlib.suppress(AttributeError, OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)

    return Pool(workers, initializer=lowest_priority)


def in_idle_time() -> bool:
    """Whether this thread runs at the lowest priority (one of ``idle_time_pool``'s)."""
    try:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) > 0
    except (AttributeError, OSError):
        return False


@functools.cache
def at_lowest_priority(program: str) -> str:
    """An executable that runs ``program`` at the lowest priority even in a session of its own.

    Linux schedules each session as a group (autogroup), and a nice value
    counts only within its group: Chromium and Jupyter kernels start sessions
    of their own, where the nice value of the thread that started them no
    longer holds them back (``run_program`` starts one too). The wrapper
    lowers its new session's group.
    """
    wrapper = Path(tempfile.mkdtemp(prefix="lowest-priority-")) / Path(program).name
    wrapper.write_text(f'#!/bin/sh\necho 19 > /proc/self/autogroup 2>/dev/null\nexec "{program}" "$@"\n',
                       encoding="utf-8")
    wrapper.chmod(0o755)
    return str(wrapper)


def run_program(command: list[str], **options) -> subprocess.CompletedProcess:
    """``subprocess.run``; from a thread of ``idle_time_pool``, in a session of its own at the lowest priority.

    A program started from such a thread inherits its nice value, but shares
    the scheduling group (autogroup) of this test session: while the test in
    the foreground waits for a program in a group of its own (Chromium), the
    idle-time runs would take this group's whole share of the CPU, as much as
    that program gets. In a group of their own at the lowest priority, they
    take only what the foreground leaves.
    """
    if in_idle_time():
        command = [at_lowest_priority(command[0]), *command[1:]]
        options["start_new_session"] = True
    return subprocess.run(command, **options)


def start_after(first: Future, pool: Pool, job: Callable, *args, urgency: int = 0) -> Future:
    """``job(first's result, *args)``'s future, submitted to ``pool`` once ``first`` is done.

    No thread waits meanwhile; if ``first`` failed, so does the job, with its exception.
    """
    done: Future = Future()

    def copy(ended: Future) -> None:
        if ended.exception() is not None:
            done.set_exception(ended.exception())
        else:
            done.set_result(ended.result())

    def start(ended: Future) -> None:
        if ended.exception() is not None:
            done.set_exception(ended.exception())
        else:
            pool.submit(job, ended.result(), *args, urgency=urgency).add_done_callback(copy)

    first.add_done_callback(start)
    return done


@dataclass
class IdleTime:
    """What conftest gives each test module's ``start_in_idle_time(items, idle)``.

    It is called twice: when the session starts, without a site (start only
    the runs that need no build), and once the site is built, with it.
    """

    #: The ``site`` build; None before it is built.
    site: Site | None
    #: The second build (``second_site``), if a selected test needs it.
    second_site: Future | None
    #: Where to start runs (``idle_time_pool``: ``pool.submit(job, *args, urgency=N)``) and where
    #: they may make folders. Urgency 0: the second build and its audit (the longest chain);
    #: 1: the other audits; 2: runs that need the site; 3: runs that need no build.
    pool: Pool
    mktemp: Callable[[str], Path]


class _Addresses(HTMLParser):
    """Every ``href`` and every ``src`` of a page, in order (read as BeautifulSoup reads them, without a tree)."""

    @classmethod
    def of(cls, text: str) -> list[str]:
        parser = cls()
        parser.feed(text)
        parser.close()
        return parser.hrefs + parser.srcs

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.srcs: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if "href" in attrs:
            self.hrefs.append(attrs["href"] or attrs.get("src", ""))
        if "src" in attrs:
            self.srcs.append(attrs.get("href") or attrs["src"])


def broken_links(html: Path, site_path: str = SITE_PATH) -> list[str]:
    """Every ``href``/``src`` in the site's HTML that points at a missing local file.

    An absolute path (the 404 page has only those) is read below ``site_path``,
    the path of the site's address.
    """
    broken = []
    for page in sorted(html.rglob("*.html")):
        for url in _Addresses.of(page.read_text(encoding="utf-8")):
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or not parts.path:
                continue  # another host, mailto:, data:, or a link within the page
            path = unquote(parts.path)
            if path.startswith("/"):
                if not path.startswith(site_path):
                    broken.append(f"{page.relative_to(html)}: {url} (outside {site_path})")
                    continue
                path = path.removeprefix(site_path)
                target = posixpath.normpath(path) if path else "."
            else:
                target = posixpath.normpath(
                    posixpath.join(posixpath.dirname(page.relative_to(html).as_posix()), path)
                )
            path = html / target
            if path.is_dir():
                path = path / "index.html"
            if target.startswith("..") or not path.is_file():
                broken.append(f"{page.relative_to(html)}: {url}")
    return broken


def sitemap(html: Path) -> list[str]:
    """The addresses listed in a built site's sitemap.xml."""
    from xml.etree import ElementTree

    root = ElementTree.parse(html / "sitemap.xml").getroot()
    return [loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]


@dataclass
class Site:
    project: Path
    html: Path
    log: str
    _soups: dict = field(default_factory=dict)

    def soup(self, page: str | Path) -> BeautifulSoup:
        path = self.html / page
        if path not in self._soups:
            self._soups[path] = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        return self._soups[path]

    def pages(self) -> list[Path]:
        """Every HTML page of this language (a translation's pages are its own Site's)."""
        return sorted(page for page in self.html.rglob("*.html")
                      if page.relative_to(self.html).parts[0] not in LANGUAGES)

    def translation(self, language: str) -> Site:
        """The pages of one translation, built into ``<html>/<language>/``."""
        return Site(self.project, self.html / language, self.log)


def built_site(project: Path, env: dict | None = None, languages=()) -> Site:
    result = build_site(project, env=env, languages=languages)
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"the site build failed:\n{log[-8000:]}"
    return Site(project, project / "_build" / "html", log)


def code_text(soup_or_tag, selector="div.highlight-python pre, div.highlight-Python pre") -> str:
    """The text of every code block of a page (or part of one)."""
    return "\n".join(pre.get_text() for pre in soup_or_tag.select(selector))


@functools.cache
def example_source(folder: str, filename: str) -> str:
    return (ROOT / folder / filename).read_text(encoding="utf-8")


# What legitimately differs between two builds of the same sources: measured times.
_TIMINGS = re.compile(
    r"\(\d+ minutes [\d.]+ seconds\)"  # "Total running time of the script"
    r"|\d\d:\d\d\.\d{3}"  # execution-times tables
    r"|\b\d+(?:\.\d+)?\s*(?:ms|MB|sec)\b"  # per-step times, memory
    r'|"run_time": [\d.]+|\bin [\d.]+ s\b|用时 [\d.]+ 秒'  # the record of each run, and its line on the pages
    r"|\d{4}-\d\d-\d\d(?:T\d\d:\d\d:\d\d\+00:00)?"  # when it ran
)
# Pages that are measurements through and through: compared by name only.
_MEASUREMENTS = ("accelerator_speedup", "sg_execution_times", ".cost.json")


def site_fingerprint(project: Path) -> dict[str, str]:
    """Everything a build produced (site and generated sources), as comparable digests.

    Two builds of the same sources give equal fingerprints: times are masked,
    zip members are compared without their timestamps, the search index by
    its documents, titles and words, and the timing pages by name only.
    """
    import hashlib
    import json as json_module
    import zipfile

    digests = {}
    roots = [project / "_build" / "html", project / "docs" / "auto_examples"]
    for path in sorted(p for root in roots for p in root.rglob("*") if p.is_file()):
        name = path.relative_to(project).as_posix()
        if any(part in name for part in _MEASUREMENTS):
            digests[name] = "present"
            continue
        data = path.read_bytes()
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as zf:
                data = repr(sorted((info.filename, info.CRC) for info in zf.infolist())).encode()
        elif path.name == "searchindex.js":
            index = json_module.loads(data.decode()[len("Search.setIndex("):-1])
            # Sphinx keeps a word whose pages are gone with an empty list: it finds nothing.
            words = sorted(term for term, docs in index["terms"].items()
                           if docs != [] and not any(c.isdigit() for c in term))
            data = repr([index["docnames"], index["filenames"], index["titles"], words]).encode()
        elif path.suffix in {".html", ".rst", ".txt", ".ipynb", ".js", ".json"}:
            data = _TIMINGS.sub("<time>", data.decode("utf-8")).encode()
        digests[name] = hashlib.sha256(data).hexdigest()
    return digests


def fingerprint_differences(got: dict[str, str], expected: dict[str, str]) -> list[str]:
    """The files that are missing, extra or different in ``got``."""
    return [
        f"{name}: {'missing' if name not in got else 'extra' if name not in expected else 'differs'}"
        for name in sorted(set(got) | set(expected))
        if got.get(name) != expected.get(name)
    ]


# -- Running an example's own code (the numerics and claims tests) ----------------------------
#
# The numerics tests do not re-implement the examples: they execute the example
# files themselves, top-level statement by statement, in a fresh namespace. Two
# hooks make the teaching claims testable without changing the examples:
#
# * ``overrides`` swaps in other data or weights right after the example has
#   defined them (before training starts), converted to the example's own kind
#   of array: numpy or torch, same dtype, device and ``requires_grad``;
# * ``stop`` ends the run just before a given statement, for instance before
#   the training loop, whose body :meth:`Example.step` can then run once.


def like(template: Any, value: np.ndarray, keep_dtype: bool = True) -> Any:
    """A copy of ``value`` as the same kind of array as ``template``."""
    if isinstance(template, np.ndarray):
        return np.array(value, dtype=template.dtype if keep_dtype else None)
    import torch

    if isinstance(template, torch.Tensor):
        tensor = torch.tensor(value, device=template.device)
        if keep_dtype:
            tensor = tensor.to(template.dtype)
        return tensor.requires_grad_(template.requires_grad)
    raise TypeError(f"cannot replace a {type(template).__name__}")


@dataclass
class Run:
    namespace: dict[str, Any]
    printed: str

    def __getitem__(self, name: str) -> Any:
        return self.namespace[name]


@dataclass(frozen=True)
class Example:
    path: Path

    @classmethod
    def named(cls, filename: str) -> Example:
        (path,) = ROOT.glob(f"examples_*/{filename}")
        return cls(path)

    def statements(self) -> list[ast.stmt]:
        return ast.parse(self.path.read_text(encoding="utf-8"), filename=str(self.path)).body

    def _source(self, node: ast.stmt) -> str:
        return ast.get_source_segment(self.path.read_text(encoding="utf-8"), node) or ""

    def _compile(self, body: list[ast.stmt]):
        return compile(ast.Module(body=body, type_ignores=[]), str(self.path), "exec")

    def run(
        self,
        overrides: dict[str, np.ndarray] | None = None,
        *,
        keep_dtype: bool = True,
        stop: str | None = None,
    ) -> Run:
        """Execute the example, optionally with other data, up to ``stop``."""
        namespace: dict[str, Any] = {"__name__": "__main__", "__file__": str(self.path)}
        pending = dict(overrides or {})
        out = io.StringIO()
        with contextlib.redirect_stdout(out), warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*non-interactive.*")
            for node in self.statements():
                if stop is not None and self._source(node).startswith(stop):
                    break
                exec(self._compile([node]), namespace)
                if pending and all(name in namespace for name in pending):
                    for name, value in pending.items():
                        namespace[name] = like(namespace[name], value, keep_dtype)
                    pending = {}
            else:
                if stop is not None:
                    raise AssertionError(f"{self.path.name} has no statement starting {stop!r}")
        import matplotlib.pyplot as plt  # Agg: helpers sets MPLBACKEND

        plt.close("all")
        assert not pending, f"{self.path.name} never defined {sorted(pending)}"
        return Run(namespace, out.getvalue())

    @functools.cache
    def finished(self) -> Run:
        """One whole run with the example's own data, made once per test session.

        For the tests that only read what a run printed and computed (the
        claims, the numerics), so that the same example is not trained again
        for each of them. A test that needs a run of its own calls ``run``.
        """
        return self.run()

    def training_loop(self) -> ast.For:
        (loop,) = [
            node
            for node in self.statements()
            if isinstance(node, ast.For) and ast.unparse(node.target) == "step"
        ]
        return loop

    def step(self, run: Run, step: int = 0) -> None:
        """Run the training loop's body once, as iteration ``step``, in ``run``."""
        run.namespace["step"] = step
        with contextlib.redirect_stdout(io.StringIO()):
            exec(self._compile(self.training_loop().body), run.namespace)


# -- The browser ---------------------------------------------------------------------------

#: axe-core, the accessibility engine the browser tests run: the npm package that
#: package.json pins, which `make test` installs into node_modules/ with npm ci.
AXE_CORE = ROOT / "node_modules" / "axe-core"


@functools.cache
def axe_core() -> str:
    """axe-core's script, checked to be the version that package.json pins."""
    import pytest

    pinned = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["devDependencies"]["axe-core"]
    installed = AXE_CORE / "package.json"
    version = json.loads(installed.read_text(encoding="utf-8"))["version"] if installed.is_file() else None
    if version != pinned:
        found = f"axe-core {version} is installed" if version else "axe-core is not installed"
        pytest.fail(f"{found} in node_modules/, and package.json pins {pinned}: run `make test`, which installs "
                    f"it with npm ci (or run `npm ci` here; Debian's npm: sudo apt-get install npm).")
    return (AXE_CORE / "axe.min.js").read_text(encoding="utf-8")


#: Screenshots of the pages the browser tests visit.
SCREENSHOTS = ROOT / "_build" / "test-artifacts" / "browser"


def find_chromium() -> str:
    import pytest

    candidates = [os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.fail(
        "Chromium not found. Install Debian's package (`apt-get install chromium`; "
        "`make test` does it when run as root) or set CHROMIUM=/path/to/chromium."
    )


@contextlib.contextmanager
def chromium():
    """Headless Chromium, the machine's own, driven by Playwright (one per thread that uses it).

    Started from a thread of ``idle_time_pool``, it runs at the lowest priority too.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        program = find_chromium()
        browser = playwright.chromium.launch(
            executable_path=at_lowest_priority(program) if in_idle_time() else program,
            # Keep Chromium from calling home: this machine has no route out.
            args=["--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync", "--disable-gpu"],
        )
        try:
            yield browser
        finally:
            browser.close()


class PagesLikeServer(http.server.SimpleHTTPRequestHandler):
    """A built site under its address's path, answering a missing page with 404.html.

    That is how GitHub Pages and Read the Docs serve it. ``site_path`` is the
    path of the site's address ("/" for a local build).
    """

    site_path = SITE_PATH

    def log_message(self, *args):
        pass

    def translate_path(self, path):
        if not path.startswith(self.site_path):
            return str(Path(self.directory) / "no-such-file")
        return super().translate_path("/" + path.removeprefix(self.site_path))

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def served(html: Path, site_path: str = SITE_PATH):
    """Serve a built site on 127.0.0.1 under ``site_path``; yields its base URL (no final slash)."""
    handler = functools.partial(type("Server", (PagesLikeServer,), {"site_path": site_path}), directory=str(html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{site_path.rstrip('/')}"
    finally:
        server.shutdown()
        server.server_close()


class Tab:
    """The one browser tab in which the tests visit the site, one page after another (``Visit``).

    A new tab costs Chromium a renderer process of its own, about 0.4 CPU-s,
    twice what loading a page costs; the tests visit about fifteen pages. So
    each visit takes this tab as a new one would be: no stored data (local
    and session storage are cleared), the default window size, listeners of
    its own, and a fresh load of its page. What one visit leaves to the next
    is the browser's cache (a resource at another address is still fetched)
    and the clipboard permission, which every visit has. A tab a visit left
    unusable is replaced by a new one.
    """

    #: Playwright's default window size, which each visit starts with.
    VIEWPORT = {"width": 1280, "height": 720}

    def __init__(self, browser):
        self.browser = browser
        self.context = None

    def page(self):
        if self.context is None:
            self.context = self.browser.new_context(viewport=self.VIEWPORT,
                                                    permissions=["clipboard-read", "clipboard-write"])
            self._page = self.context.new_page()
        return self._page

    def reset(self) -> None:
        """Make the tab as a new one would be, for the next visit."""
        from playwright.sync_api import Error as PlaywrightError

        try:
            self._page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
            self._page.goto("about:blank")
            self._page.set_viewport_size(self.VIEWPORT)
        except PlaywrightError:  # crashed, closed, or somewhere storage cannot be reached: a new tab
            self.close()

    def close(self) -> None:
        if self.context is not None:
            self.context.close()
            self.context = None


class Visit:
    """One page of the site in the tests' browser tab (``Tab``), with every problem it reported."""

    def __init__(self, tab: Tab, base_url: str, path: str, viewport: dict | None = None):
        self.tab, self.page = tab, tab.page()
        self.problems: list[str] = []
        self.listeners = {
            "console": lambda m: m.type == "error" and self.problems.append(f"console: {m.text} {m.location}"),
            "pageerror": lambda e: self.problems.append(f"page error: {e}"),
            "requestfailed": lambda r: self.problems.append(f"failed: {r.url}"),
            "response": lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"),
        }
        for event, listener in self.listeners.items():
            self.page.on(event, listener)
        try:
            if viewport:
                self.page.set_viewport_size(viewport)
            self.page.goto(f"{base_url}/{path}", wait_until="load")
        except BaseException:  # the test never gets this visit to close: leave the tab ready for the next
            self.close()
            raise

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)

    def close(self) -> None:
        for event, listener in self.listeners.items():
            self.page.remove_listener(event, listener)
        self.tab.reset()


# -- Python source as the interpreter reads it -----------------------------------------------


def docstring_starts(tree: ast.AST) -> set[tuple[int, int]]:
    """Where the docstrings of a module and of its functions and classes start."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                found.add((first.value.lineno, first.value.col_offset))
    return found


def program_tokens(source: str) -> list[tuple[int, str]]:
    """What the interpreter reads: every token but comments, docstrings and the layout of lines."""
    docstrings = docstring_starts(ast.parse(source))
    return [(token.type, token.string) for token in tokenize.generate_tokens(io.StringIO(source).readline)
            if token.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
            and not (token.type == tokenize.STRING and token.start in docstrings)]
