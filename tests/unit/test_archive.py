"""Unit tests of tutorial_site.archive."""

from __future__ import annotations

import zipfile
from types import SimpleNamespace

import pytest
from sphinx.errors import ConfigError

from gallery_runner import seam
from tutorial_site import archive
from tutorial_site.ordering import ExampleOrder


def test_archive_is_reproducible_and_not_rewritten_when_unchanged(tmp_path):
    examples = tmp_path / "examples_a"
    examples.mkdir()
    (examples / "one.py").write_text("print(1)\n")
    gallery = tmp_path / "docs" / "auto_examples" / "a"
    gallery.mkdir(parents=True)
    (gallery / "one.ipynb").write_text("{}")
    (tmp_path / "needs.txt").write_text("numpy\n")
    app = SimpleNamespace(
        srcdir=tmp_path / "docs", confdir=tmp_path / "docs",
        config=SimpleNamespace(sphinx_gallery_conf=seam.filled_conf({
            "examples_dirs": ["../examples_a"],
            "gallery_dirs": ["auto_examples/a"],
            "within_subsection_order": ExampleOrder(("one.py",)),
            "ignore_pattern": r"__init__\.py",
        }), visitor_requirements="../needs.txt"),
    )
    with pytest.raises(ConfigError, match="visitor_requirements .*names ../missing.txt, which does not exist"):
        archive.check_visitor_requirements(app, SimpleNamespace(visitor_requirements="../missing.txt"))
    archive.write_examples_archive(app)
    zipped = tmp_path / "docs" / archive.ARCHIVE
    first, mtime = zipped.read_bytes(), zipped.stat().st_mtime_ns
    with zipfile.ZipFile(zipped) as zf:
        assert zf.namelist() == ["needs.txt", "examples_a/one.py", "examples_a/one.ipynb"]
    archive.write_examples_archive(app)
    assert zipped.read_bytes() == first
    assert zipped.stat().st_mtime_ns == mtime
    (examples / "one.py").write_text("print(2)\n")
    archive.write_examples_archive(app)
    assert zipped.read_bytes() != first
