"""Unit tests of gallery_runner.examples."""

from __future__ import annotations

import re
import runpy
from types import SimpleNamespace

import pytest

from gallery_runner import examples as ex
from gallery_runner import seam


def test_example_only_selects_one_example_and_nothing_else_changes():
    config = SimpleNamespace(example_only="dynamic_net", sphinx_gallery_conf={"filename_pattern": "x"})
    ex.configure(None, config)
    assert config.sphinx_gallery_conf == {"filename_pattern": ex.only_example("dynamic_net")}
    # Without it, sphinx-gallery's own settings and defaults stay as conf.py wrote them.
    config = SimpleNamespace(example_only="", sphinx_gallery_conf={})
    ex.configure(None, config)
    assert config.sphinx_gallery_conf == {}


def test_the_examples_are_the_scripts_sphinx_gallery_runs_honouring_ignore_pattern(tmp_path):
    examples_dir, docs = tmp_path / "examples", tmp_path / "docs"
    examples_dir.mkdir()
    docs.mkdir()
    for name in ("b.py", "a.py", "helper_data.py", "notes.txt", "__init__.py"):
        (examples_dir / name).write_text("x = 1\n")
    conf = seam.filled_conf({"examples_dirs": ["../examples"], "gallery_dirs": ["auto_examples/e"],
                             "ignore_pattern": r"__init__\.py|helper_",
                             "within_subsection_order": ReversedByName})
    app = SimpleNamespace(srcdir=docs, config=SimpleNamespace(sphinx_gallery_conf=conf))
    (gallery,) = ex.galleries(app)
    assert gallery.name == "auto_examples/e" and gallery.gallery_dir == (docs / "auto_examples" / "e").resolve()
    assert [e.name for e in ex.all_examples(app)] == ["b.py", "a.py"]
    assert ex.find(app, examples_dir / "helper_data.py") is None
    _, found = ex.find(app, examples_dir / "a.py")
    assert found.generated_file(".ipynb") == gallery.gallery_dir / "a.ipynb"
    assert found.checksum_file.name == "a.py.md5" and found.manifest.name == "a.outputs.json"


@pytest.mark.parametrize("name", ["dynamic_net", "dynamic_net.py", "examples_nn/dynamic_net.py"])
def test_only_example_matches_that_file_and_no_other(name):
    pattern = ex.only_example(name)
    assert re.search(pattern, "/src/examples_nn/dynamic_net.py")
    assert re.search(pattern, r"C:\\src\\examples_nn\\dynamic_net.py")
    for other in ("/src/examples_nn/not_dynamic_net.py", "/src/examples_nn/dynamic_net.py.md5",
                  "/src/examples_nn/dynamic_netx.py", "/src/examples_nn/dynamicAnet.py"):
        assert not re.search(pattern, other), other


class ReversedByName:
    """A ``within_subsection_order`` class, which sphinx-gallery constructs with the folder."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        return [-ord(c) for c in filename]


@pytest.mark.parametrize("order, expected", [
    ("FileNameSortKey", ["a.py", "b.py", "c.py"]),                     # a built-in name
    ("sphinx_gallery.sorting.FileNameSortKey", ["a.py", "b.py", "c.py"]),  # a dotted name
    (ReversedByName, ["c.py", "b.py", "a.py"]),                         # a class
    (lambda name: {"b.py": 0}.get(name, 1), ["b.py", "a.py", "c.py"]),  # a callable
])
def test_every_form_of_within_subsection_order_sorts_as_sphinx_gallery_does(tmp_path, order, expected):
    examples_dir = tmp_path / "examples"
    examples_dir.mkdir()
    for name in ("c.py", "a.py", "b.py"):
        (examples_dir / name).write_text('"""T\n=\n"""\n')
    conf = seam.filled_conf({"examples_dirs": ["../examples"], "gallery_dirs": ["auto_examples"],
                             "within_subsection_order": order})
    app = SimpleNamespace(srcdir=tmp_path / "docs", config=SimpleNamespace(sphinx_gallery_conf=conf))
    assert [e.name for e in ex.all_examples(app)] == expected


def test_sub_folders_with_a_header_are_galleries_of_their_own(tmp_path):
    examples_dir = tmp_path / "examples"
    (examples_dir / "sub").mkdir(parents=True)
    (examples_dir / "no_header").mkdir()
    (examples_dir / "GALLERY_HEADER.rst").write_text("Top\n===\n")
    (examples_dir / "sub" / "GALLERY_HEADER.rst").write_text("Sub\n---\n")
    for path in (examples_dir / "top.py", examples_dir / "sub" / "inner.py", examples_dir / "no_header" / "x.py"):
        path.write_text('"""T\n=\n"""\n')
    conf = seam.filled_conf({"examples_dirs": "../examples", "gallery_dirs": "auto_examples"})  # strings, as allowed
    app = SimpleNamespace(srcdir=tmp_path / "docs", config=SimpleNamespace(sphinx_gallery_conf=conf))
    assert [g.name for g in ex.galleries(app)] == ["auto_examples", "auto_examples/sub"]
    assert [g.name for g in ex.galleries(app, subsections=False)] == ["auto_examples"]
    inner = [e for e in ex.all_examples(app) if e.name == "inner.py"]
    assert inner and inner[0].gallery_dir == (tmp_path / "docs" / "auto_examples" / "sub").resolve()
    assert ex.find(app, examples_dir / "sub" / "inner.py")[1] == inner[0]
