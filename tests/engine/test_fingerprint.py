"""Unit tests of gallery_runner.fingerprint."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from gallery_runner import fingerprint, seam
from gallery_runner.examples import Example


def parts_of(tmp_path: Path, source: str = "print(1)\n", **conf) -> dict:
    script = tmp_path / "examples" / "one.py"
    script.parent.mkdir(exist_ok=True)
    script.write_text(source)
    config = SimpleNamespace(example_threads=1, example_preload=["numpy"])
    fingerprint.new_build()  # the folder is read again, as by each build
    gallery_conf = {"first_notebook_cell": "%matplotlib inline", "image_scrapers": ("matplotlib",),
                    "ignore_pattern": r"__init__\.py", **conf}
    return fingerprint.components(Example(script, tmp_path / "gen"), "auto_examples/x", config, gallery_conf)


def test_the_fingerprint_covers_source_packages_python_platform_settings_and_code(tmp_path):
    parts = parts_of(tmp_path)
    assert parts["example"] == "auto_examples/x/one.py"
    assert parts["packages"]["sphinx-gallery"] and parts["packages"]["numpy"]
    assert parts["python"].split()[0] in {"CPython", "PyPy"} and parts["platform"]
    assert parts["settings"]["sphinx_gallery_conf['first_notebook_cell']"] == "%matplotlib inline"
    assert set(parts["code"]) >= {"gallery_runner.runner", "gallery_runner.seam", "gallery_runner.terminal"}
    assert str(tmp_path) not in str(parts)  # nothing of the checkout's path


def test_the_same_inputs_give_the_same_key_and_any_change_another(tmp_path):
    base = parts_of(tmp_path)
    assert fingerprint.key(base) == fingerprint.key(parts_of(tmp_path))
    assert fingerprint.key(base) != fingerprint.key(parts_of(tmp_path, "print(2)\n"))
    assert fingerprint.key(base) != fingerprint.key(parts_of(tmp_path, first_notebook_cell="# other"))


def test_what_changed_is_said_in_words(tmp_path):
    old = parts_of(tmp_path)
    new = {**old, "packages": {**old["packages"], "torch": "9.0"}, "python": "CPython 3.99.0",
           "code": {**old["code"], "gallery_runner.runner": "0" * 64, "my_scraper": "1" * 64}}
    del new["packages"]["numpy"]
    said = fingerprint.changes(old, new)
    torch_before = old["packages"].get("torch")
    assert (f"torch {torch_before} -> 9.0" if torch_before else "torch 9.0 was installed") in said
    assert f"numpy {old['packages']['numpy']} was removed" in said
    assert f"python {old['python']} -> CPython 3.99.0" in said
    assert "the example runner changed" in said and "the module my_scraper changed" in said
    assert fingerprint.changes(old, parts_of(tmp_path, "print(2)\n")) == ["its source changed"]
    assert fingerprint.changes(old, old) == []


def test_the_files_beside_an_example_are_in_it_but_not_the_other_examples_or_the_header(tmp_path):
    folder = tmp_path / "examples"
    folder.mkdir()
    (folder / "GALLERY_HEADER.rst").write_text("X\n=\n")
    (folder / "other_example.py").write_text("print(3)\n")
    (folder / "__pycache__").mkdir()
    (folder / "__pycache__" / "one.cpython-311.pyc").write_bytes(b"0")
    source = "import helper_module\nprint(1)\n"
    base = parts_of(tmp_path, source)
    assert base["data"] == {}
    (folder / "data").mkdir()
    (folder / "data" / "points.csv").write_text("1,2\n")
    (folder / "helper_module.py").write_text("X = 1\n")  # a module it imports
    (folder / "unused_helper.py").write_text("Y = 1\n")  # one it does not
    added = parts_of(tmp_path, source)
    assert set(added["data"]) == {"data/points.csv", "helper_module.py"}
    assert fingerprint.changes(base, added) == ["the file data/points.csv beside it was added",
                                                "the file helper_module.py beside it was added"]
    (folder / "data" / "points.csv").write_text("1,3\n")
    changed = parts_of(tmp_path, source)
    assert fingerprint.changes(added, changed) == ["the file data/points.csv beside it changed"]
    (folder / "other_example.py").write_text("print(4)\n")  # another example's edit: not this one's
    (folder / "unused_helper.py").write_text("Y = 2\n")
    assert fingerprint.key(parts_of(tmp_path, source)) == fingerprint.key(changed)


def test_a_sub_gallery_is_not_data_of_the_gallery_above_it(tmp_path):
    folder = tmp_path / "examples"
    (folder / "sub").mkdir(parents=True)
    (folder / "GALLERY_HEADER.rst").write_text("X\n=\n")
    (folder / "sub" / "GALLERY_HEADER.rst").write_text("Y\n-\n")
    (folder / "sub" / "inner.py").write_text("print(5)\n")
    (folder / "plain").mkdir()
    (folder / "plain" / "table.csv").write_text("1\n")
    conf = seam.filled_conf({"examples_dirs": ["../examples"], "gallery_dirs": ["auto"],
                             "src_dir": str(tmp_path / "docs")})
    assert set(parts_of(tmp_path, **conf)["data"]) == {"plain/table.csv"}


def test_stable_names_callables_and_hides_addresses():
    class Thing:
        pass

    assert fingerprint.stable({"b": (1, 2), "a": len}) == {"a": "builtins.len", "b": [1, 2]}
    assert fingerprint.stable(Thing()) == "test_stable_names_callables_and_hides_addresses.<locals>.Thing"
    assert fingerprint.stable({3, 1, 2}) == [1, 2, 3]


def test_every_gallery_setting_is_in_it_but_those_that_only_select_schedule_or_report(tmp_path):
    base = parts_of(tmp_path, src_dir=str(tmp_path / "docs"))
    # A setting this code has never heard of (a new sphinx-gallery's) is in the fingerprint.
    assert fingerprint.key(parts_of(tmp_path, src_dir=str(tmp_path / "docs"), some_new_setting=1)) != \
        fingerprint.key(base)
    for name, value in [("filename_pattern", "other"), ("parallel", 4), ("expected_failing_examples", ["x.py"]),
                        ("titles", {"a": "b"}), ("failing_examples", {"x": "y"}), ("junit", "j.xml")]:
        assert name in fingerprint.NOT_OUTPUT_SETTINGS
        assert fingerprint.key(parts_of(tmp_path, src_dir=str(tmp_path / "docs"), **{name: value})) == \
            fingerprint.key(base), name


def test_no_setting_brings_the_checkouts_path_into_it(tmp_path):
    """A path inside the source folder (sphinx-gallery's jupyterlite contents) is written relative to it."""
    def parts_at(root: Path) -> dict:
        (root / "examples").mkdir(parents=True, exist_ok=True)
        return parts_of(root, src_dir=str(root / "docs"),
                        jupyterlite={"jupyterlite_contents": str(root / "docs" / "contents")},
                        binder={"notebooks_dir": Path(root / "docs" / "nb")})

    here, there = parts_at(tmp_path / "a"), parts_at(tmp_path / "b" / "deeper")
    assert fingerprint.key(here) == fingerprint.key(there)
    assert str(tmp_path) not in json.dumps(here)
    assert here["settings"]["sphinx_gallery_conf['jupyterlite']"] == {"jupyterlite_contents": "{srcdir}/contents"}
