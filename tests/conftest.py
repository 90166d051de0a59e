"""Shared test fixtures.

The ``site`` fixture builds the whole site once per test session, from a fresh
copy of the project in a temporary folder, exactly as ``make html`` would
(every example executed, warnings as errors). All tests of the built site
share that one build; tests that need a build of their own (the failure
tests) start from a copy of it, so that only what they change is re-run.

Every test that uses a build is marked ``slow``; ``make test-fast`` runs the
others (the numerics and the extensions' unit tests).
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))  # the project's Sphinx extensions

from example_processes import THREAD_VARIABLES  # noqa: E402

# The build runs every example on one thread (conf.py: example_threads), and a
# float32 result can depend on the thread count, so runs compared with the
# site's pages use one thread too.
ONE_THREAD = {name: "1" for name in THREAD_VARIABLES}

# Tests read what builds print, so builds print plain text. Sphinx colours its
# output on a terminal, with FORCE_COLOR, and on CI systems (CI=true): the
# colour codes would split the lines tests look for ("reading sources... [").
os.environ.pop("FORCE_COLOR", None)
os.environ.pop("FORCE_COLOUR", None)
os.environ["NO_COLOR"] = "1"

# What the project's source is made of; everything else is generated.
PROJECT_FILES = ["conf.py", "requirements.txt", "docs", *sorted(p.name for p in ROOT.glob("examples_*"))]
GENERATED = {"auto_examples", "sg_execution_times.rst", "__pycache__", "_build", "_inventories"}

# Test builds are built like the published site: with an address and a
# repository (conf.py: site_url, repository_url). The address has a path, as
# a GitHub Pages project site does.
SITE_URL = "https://tutorial.example.org/learning-pytorch/"
SITE_PATH = "/learning-pytorch/"
REPOSITORY_URL = "https://github.com/example-owner/learning-pytorch"
HOSTED = {"SITE_URL": SITE_URL, "REPOSITORY_URL": REPOSITORY_URL}
# ...and without one, as a local `make html` is.
LOCAL = {"SITE_URL": "", "REPOSITORY_URL": ""}

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
    """The environment of a test build: this one, Agg, built as the published site, plus ``extra``."""
    return {**os.environ, "MPLBACKEND": "Agg", **HOSTED, **extra}


def build_site(
    project: Path,
    *options: str,
    env: dict | None = None,
    timeout: float = 900,
    strict: bool = True,
    python_options: tuple[str, ...] = (),
) -> subprocess.CompletedProcess:
    """Run the same build as ``make html`` (tools/sphinx_build.py) on a project copy, offline.

    The HTML lands in ``project/_build/html``, the doctrees in
    ``project/_build/doctrees``. It is built as the published site is
    (``HOSTED``); ``env`` adds or overrides environment variables;
    ``strict=False`` drops ``make html``'s ``-W --keep-going``;
    ``python_options`` go to the Python that runs Sphinx (``-X importtime``).
    """
    cmd = [
        *no_network(), sys.executable, *python_options, str(ROOT / "tools" / "sphinx_build.py"), "-M", "html",
        str(project / "docs"), str(project / "_build"), "-c", str(project),
        *(["-W", "--keep-going"] if strict else []), *options,
    ]
    env = build_env(**(env or {}))
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=project, timeout=timeout)


def broken_links(html: Path, site_path: str = SITE_PATH) -> list[str]:
    """Every ``href``/``src`` in the site's HTML that points at a missing local file.

    An absolute path (the 404 page has only those) is read below ``site_path``,
    the path of the site's address.
    """
    broken = []
    for page in sorted(html.rglob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for element in soup.find_all(href=True) + soup.find_all(src=True):
            url = element.get("href") or element.get("src")
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
        return sorted(self.html.rglob("*.html"))


def built_site(project: Path, env: dict | None = None) -> Site:
    result = build_site(project, env=env)
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"the site build failed:\n{log[-8000:]}"
    return Site(project, project / "_build" / "html", log)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Site:
    return built_site(copy_project(tmp_path_factory.mktemp("project")))


@pytest.fixture(scope="session")
def second_site(site, tmp_path_factory):
    """Another clean build of the same sources, in another folder, without workers.

    The ``site`` build runs the examples in worker processes where the machine
    has several CPUs; this one runs them all in the Sphinx process. It is also
    built as a local ``make html`` is: no site address, no repository.
    """
    return built_site(copy_project(tmp_path_factory.mktemp("again")), env={"EXAMPLE_WORKERS": "1", **LOCAL})


@pytest.fixture
def built_project(site, tmp_path) -> Path:
    """A private copy of the built project, generated files and all.

    A build of it re-runs only the examples a test changed (sphinx-gallery
    skips those whose source matches the checksum of its last run).
    """
    return Path(shutil.copytree(site.project, tmp_path / "project", symlinks=True))


def pytest_collection_modifyitems(items):
    """Mark every test that needs a site build as slow."""
    for item in items:
        if {"site", "second_site"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@functools.cache
def example_source(folder: str, filename: str) -> str:
    return (ROOT / folder / filename).read_text(encoding="utf-8")


# What legitimately differs between two builds of the same sources: measured times.
_TIMINGS = re.compile(
    r"\(\d+ minutes [\d.]+ seconds\)"  # "Total running time of the script"
    r"|\d\d:\d\d\.\d{3}"  # execution-times tables
    r"|\b\d+(?:\.\d+)?\s*(?:ms|MB|sec)\b"  # per-step times, memory
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
