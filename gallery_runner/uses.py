"""What an example used: the installed distributions whose modules it imported, with their versions.

An example's outputs depend on the libraries it ran with, not on every
package installed beside them. So, as ccache's direct mode keeps the list of
headers a compilation read, the example's own process records the modules
imported while the example runs (:class:`Recorder`): those loaded for the
first time, and those an ``import`` statement named that were loaded already
(the Sphinx process preloads the heavy libraries before it forks). Their
top-level names are mapped to the distributions that install them
(:func:`distributions`), with the versions installed; modules of Python's
own library and the example's own helper modules belong to no distribution
(Python's version and the files beside the example are in the fingerprint).

What runs inside the example's process with it is recorded too: what
sphinx-gallery's figure scraper imports (matplotlib, to save figures) shaped
the page as much as the example did.

An entry of the execution cache is reused while every distribution it
recorded still has the recorded version (:func:`still_installed`).
"""

from __future__ import annotations

import ast
import builtins
import functools
import importlib
import importlib.metadata
import sys
from collections.abc import Mapping
from pathlib import Path

from packaging.utils import canonicalize_name


@functools.cache
def installed() -> dict[str, str]:
    """{name: version} of every distribution this Python can import from (first on the path wins)."""
    found: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found.setdefault(canonicalize_name(name), dist.version)
    return dict(sorted(found.items()))


@functools.cache
def _distributions_of_modules() -> dict[str, tuple[str, ...]]:
    return {module: tuple(sorted({canonicalize_name(name) for name in names}))
            for module, names in importlib.metadata.packages_distributions().items()}


def forget() -> None:
    """Read the installed distributions again (a new build: something may have been installed)."""
    installed.cache_clear()
    _distributions_of_modules.cache_clear()


def warm() -> None:
    """Read the installed distributions now, in the Sphinx process, so that forked examples need not."""
    installed()
    _distributions_of_modules()


def distributions(modules: set[str]) -> dict[str, str]:
    """{distribution: version} of those installed distributions that provide the top-level ``modules``."""
    versions = installed()
    found = {}
    for module in modules:
        for name in _distributions_of_modules().get(module, ()):
            if name in versions:
                found[name] = versions[name]
    return dict(sorted(found.items()))


def distribution_of(module: str) -> str | None:
    """The one distribution that provides ``module`` (the first by name, if several do)."""
    names = [name for name in _distributions_of_modules().get(module, ()) if name in installed()]
    return names[0] if names else None


def still_installed(used: Mapping[str, str]) -> list[str]:
    """What changed of the distributions ``used`` ({name: version}): e.g. ``"numpy 2.3.0 -> 2.4.0"``; [] if nothing."""
    versions = installed()
    said = []
    for name, version in sorted(used.items()):
        now = versions.get(name)
        if now is None:
            said.append(f"{name} {version} was removed")
        elif now != version:
            said.append(f"{name} {version} -> {now}")
    return said


def imported_in_order(script: Path) -> list[str]:
    """The top-level names ``script`` imports, in the order its import statements come."""
    try:
        tree = ast.parse(Path(script).read_bytes())
    except (SyntaxError, ValueError, OSError):
        return []
    names: list[str] = []
    statements = sorted((node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))),
                        key=lambda node: (node.lineno, node.col_offset))
    for node in statements:
        if isinstance(node, ast.Import):
            found = [alias.name.split(".")[0] for alias in node.names]
        else:
            found = [node.module.split(".")[0]] if node.level == 0 and node.module else []
        names += [name for name in found if name not in names]
    return names


class Recorder:
    """Within ``with Recorder() as used:``, note the top-level name of every module imported (``used.modules``)."""

    def __init__(self) -> None:
        self.modules: set[str] = set()
        self._before: set[str] = set()

    def __enter__(self) -> Recorder:
        self._before = set(sys.modules)
        self._import, self._import_module = builtins.__import__, importlib.import_module
        original_import, original_import_module = self._import, self._import_module
        noted = self.modules

        def recording_import(name, globals=None, locals=None, fromlist=(), level=0):  # noqa: A002 - its signature
            if level == 0:
                noted.add(name.partition(".")[0])
            elif globals:
                noted.add(str(globals.get("__package__") or globals.get("__name__") or "").partition(".")[0])
            return original_import(name, globals, locals, fromlist, level)

        def recording_import_module(name, package=None):
            noted.add((package if name.startswith(".") and package else name).partition(".")[0])
            return original_import_module(name, package)

        builtins.__import__ = recording_import
        importlib.import_module = recording_import_module
        return self

    def __exit__(self, *exc_info) -> None:
        builtins.__import__, importlib.import_module = self._import, self._import_module
        self.modules.update(name.partition(".")[0] for name in set(sys.modules) - self._before)
        self.modules.discard("")
