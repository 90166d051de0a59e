"""Missing packages, named up front.

Before any example runs, every module the examples import is looked up. A
missing one stops the build with one message naming the module, the examples
that need it and the requirement line that installs it
(``example_requirements``), instead of a traceback in the middle of the build.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import os
import sys
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from sphinx.application import Sphinx
from sphinx.util import logging

from .examples import all_examples, is_selected

logger = logging.getLogger(__name__)


def imported_modules(script: Path) -> set[str]:
    """The top-level names of the modules a script imports (read once for each version of the file)."""
    try:
        stat = Path(script).stat()
    except OSError:
        return set()
    return set(_imports_of(str(script), stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=4096)
def _imports_of(script: str, mtime_ns: int, size: int) -> frozenset[str]:
    try:
        tree = ast.parse(Path(script).read_bytes(), filename=script)
    except (SyntaxError, ValueError, OSError):
        return frozenset()  # sphinx-gallery reports it when it runs the example
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return frozenset(names)


def is_importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def requirement_for(module: str, requirements: Path) -> str | None:
    """The line of ``requirements`` that installs ``module`` on this platform.

    A distribution matches when its name is the module's, or starts with it
    and a dash (``tensorflow-cpu`` installs ``tensorflow``, as far as names go).
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
