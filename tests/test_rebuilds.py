"""Rebuilds do only what they must.

Like the failure tests, these start from a private copy of the built fixture site.
"""

from __future__ import annotations

import re

import pytest

from helpers import build_site

pytestmark = pytest.mark.slow


def imported_modules(importtime_log: str) -> set[str]:
    """The modules a ``python -X importtime`` run imported."""
    return set(re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s+(\S+)\s*$", importtime_log, re.M))


def test_a_rebuild_that_runs_no_example_imports_neither_matplotlib_nor_numpy(built_fixture):
    result = build_site(built_fixture, python_options=("-X", "importtime"))
    assert result.returncode == 0, result.stderr[-4000:]
    modules = imported_modules(result.stderr)
    assert "sphinx_gallery.gen_rst" in modules  # the log is what we think it is
    # Only a build that runs examples preloads what they import.
    assert not {m for m in modules if m.split(".")[0] in {"matplotlib", "torch", "numpy"}}
