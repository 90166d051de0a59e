"""Shared test fixtures.

The ``site`` fixture builds the whole site once per test session, from a fresh
copy of the project in a temporary folder, exactly as ``make html`` would
(every example executed, warnings as errors). All tests of the built site
share that one build.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]

# What the project's source is made of; everything else is generated.
PROJECT_FILES = ["conf.py", "docs", "examples_tensor", "examples_autograd", "examples_nn"]
GENERATED = {"auto_examples", "sg_execution_times.rst", "__pycache__", "_build"}

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
# Where each examples folder's gallery is generated, relative to docs/.
GALLERY = {
    "examples_tensor": "auto_examples/tensor",
    "examples_autograd": "auto_examples/autograd",
    "examples_nn": "auto_examples/nn",
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


def build_site(project: Path, *options: str) -> subprocess.CompletedProcess:
    """Run the same sphinx-build as ``make html`` on a project copy, offline."""
    cmd = [
        *no_network(), sys.executable, "-m", "sphinx", "-b", "html",
        "-c", str(project), str(project / "docs"), str(project / "_build" / "html"),
        "-W", "--keep-going", *options,
    ]
    env = dict(os.environ, MPLBACKEND="Agg")
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=project)


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


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Site:
    project = copy_project(tmp_path_factory.mktemp("project"))
    result = build_site(project)
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"the site build failed:\n{log[-8000:]}"
    return Site(project, project / "_build" / "html", log)


@functools.cache
def example_source(folder: str, filename: str) -> str:
    return (ROOT / folder / filename).read_text(encoding="utf-8")
