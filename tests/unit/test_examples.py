"""Unit tests of tutorial_site.examples."""

from __future__ import annotations

import re
import runpy
from types import SimpleNamespace

import pytest

from helpers import EXAMPLES, ROOT
from tutorial_site import examples as ex


def test_example_order_follows_the_list_and_puts_unknown_files_last():
    order = ex.ExampleOrder(("b.py", "a.py"))
    names = ["z.py", "a.py", "c.py", "b.py"]
    assert sorted(names, key=order) == ["b.py", "a.py", "c.py", "z.py"]
    # full paths sort by their file name
    assert order("/somewhere/examples/a.py") == (1, "a.py")


def test_conf_orders_examples_as_the_tutorial_does():
    conf = runpy.run_path(str(ROOT / "conf.py"))
    assert conf["example_order"] == [f for _, f, _ in EXAMPLES]
    config = SimpleNamespace(example_order=conf["example_order"], example_only="",
                             sphinx_gallery_conf=dict(conf["sphinx_gallery_conf"]))
    ex.configure(None, config)
    order = config.sphinx_gallery_conf["within_subsection_order"]
    # equal configs compare equal, or Sphinx would rebuild everything each time
    assert order == ex.ExampleOrder(tuple(f for _, f, _ in EXAMPLES))
    assert config.sphinx_gallery_conf["filename_pattern"] == r"\.py$"  # every script runs


def test_example_only_selects_one_example_and_conf_settings_win():
    config = SimpleNamespace(example_order=["a.py"], example_only="dynamic_net",
                             sphinx_gallery_conf={"within_subsection_order": "FileNameSortKey"})
    ex.configure(None, config)
    assert config.sphinx_gallery_conf["within_subsection_order"] == "FileNameSortKey"
    assert config.sphinx_gallery_conf["filename_pattern"] == ex.only_example("dynamic_net")


def test_the_examples_are_the_scripts_sphinx_gallery_runs_honouring_ignore_pattern(tmp_path):
    examples_dir, docs = tmp_path / "examples", tmp_path / "docs"
    examples_dir.mkdir()
    docs.mkdir()
    for name in ("b.py", "a.py", "helper_data.py", "notes.txt", "__init__.py"):
        (examples_dir / name).write_text("x = 1\n")
    conf = {"examples_dirs": ["../examples"], "gallery_dirs": ["auto_examples/e"],
            "ignore_pattern": r"__init__\.py|helper_", "within_subsection_order": ex.ExampleOrder(("b.py",))}
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
