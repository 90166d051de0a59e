"""Unit tests of gallery_runner.fingerprint."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import gallery_runner
from gallery_runner import fingerprint, machine, seam, uses
from gallery_runner.examples import Example


def parts_of(tmp_path: Path, source: str = "print(1)\n", machine_dependent=(), **conf) -> dict:
    script = tmp_path / "examples" / "one.py"
    script.parent.mkdir(exist_ok=True)
    script.write_text(source)
    config = SimpleNamespace(example_threads=1, example_preload=["numpy"], machine_dependent_examples=machine_dependent,
                             example_output_lines=1000, example_output_characters=100_000)
    fingerprint.new_build()  # the folder is read again, as by each build
    gallery_conf = {"first_notebook_cell": "%matplotlib inline", "image_scrapers": ("matplotlib",),
                    "ignore_pattern": r"__init__\.py", **conf}
    return fingerprint.components(Example(script, tmp_path / "gen"), "auto_examples/x", config, gallery_conf)


def test_the_fingerprint_covers_source_python_platform_settings_and_output_code(tmp_path):
    parts = parts_of(tmp_path)
    assert parts["example"] == "auto_examples/x/one.py"
    assert parts["tools"] == {"sphinx-gallery": seam.VERSION}
    assert "packages" not in parts and "machine" not in parts  # what the run imports is recorded by the run
    assert parts["python"].split()[0] in {"CPython", "PyPy"} and parts["platform"]
    assert parts["settings"]["sphinx_gallery_conf['first_notebook_cell']"] == "%matplotlib inline"
    assert (parts["settings"]["example_output_lines"], parts["settings"]["example_output_characters"]) == (
        1000, 100_000)  # how much of a printed output its page shows
    assert "gallery_runner.printed.bound_page" in parts["code"]
    assert set(parts["code"]) >= {"gallery_runner.terminal", "gallery_runner.runner.show_output_as_text",
                                  "gallery_runner.provenance.mark_page"}
    assert str(tmp_path) not in str(parts)  # nothing of the checkout's path


def test_a_package_no_run_imported_is_in_no_fingerprint(tmp_path, monkeypatch):
    base = parts_of(tmp_path, "import numpy\nprint(1)\n")
    now = uses.installed()
    monkeypatch.setattr(uses, "installed", lambda: {**now, "fake-tool": "1.0", "numpy": "0.0.1"})
    assert parts_of(tmp_path, "import numpy\nprint(1)\n") == base


def engine_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "engine"
    shutil.copytree(Path(gallery_runner.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} no longer has {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_engines_log_messages_and_scheduling_are_not_output_code(tmp_path):
    """Editing what the engine logs, or how it schedules and caches, changes no fingerprint."""
    conf = {"image_scrapers": ()}
    engine = engine_copy(tmp_path)
    before = fingerprint.code_hashes(conf, engine)
    assert before == fingerprint.code_hashes(conf)  # the copy reads as the engine does
    edit(engine / "driver.py", '"ran %d example%s in %.1f s"', '"finished %d example%s in %.1f s"')
    edit(engine / "runner.py", "return processes", "return  processes") if "return processes" in \
        (engine / "runner.py").read_text() else None
    edit(engine / "failures.py", "def ", "def  ")  # any edit of the failure messages' module
    edit(engine / "cache.py", "FORMAT = ", "FORMAT =  ")
    edit(engine / "provenance.py", '"full record"', '"the whole record"')  # words drawn when the page is built
    assert fingerprint.code_hashes(conf, engine) == before
    # What changes an output does change it: the printed output's rendering, the record of the run.
    edit(engine / "terminal.py", '"""', '"""Edited. ')
    assert fingerprint.code_hashes(conf, engine)["gallery_runner.terminal"] != before["gallery_runner.terminal"]
    edit(engine / "provenance.py", '"run_time": round(float(run_time), 3)', '"run_time": round(float(run_time), 2)')
    changed = fingerprint.code_hashes(conf, engine)
    assert changed["gallery_runner.provenance.write_record"] != before["gallery_runner.provenance.write_record"]
    assert fingerprint.changes({"code": before}, {"code": changed}) == [
        "the record of where an example ran changed", "the rendering of printed output changed"]


def test_a_machine_dependent_example_has_the_machine_in_its_fingerprint(tmp_path, monkeypatch):
    assert "machine" not in parts_of(tmp_path)
    listed = parts_of(tmp_path, machine_dependent=[r"/one\.py$"])
    assert listed["machine"] == machine.identity() and listed["machine"]["cores"] >= 1
    said = parts_of(tmp_path, '"""One."""\n\n# sphinx_gallery_machine_dependent = True\nprint(1)\n')
    assert said["machine"] == machine.identity()
    monkeypatch.setattr(machine, "accelerators", lambda: ["NVIDIA H100 80GB HBM3"])
    elsewhere = parts_of(tmp_path, machine_dependent=[r"/one\.py$"])
    assert fingerprint.key(elsewhere) != fingerprint.key(listed)
    assert fingerprint.changes(listed, elsewhere) == ["it depends on the machine, and runs on another one"]


def test_outputs_are_out_of_date_when_what_the_run_imported_changed(tmp_path, monkeypatch):
    parts = parts_of(tmp_path)
    made = fingerprint.record(parts, {"numpy": "2.0.0", "torch": "2.13.0"})
    monkeypatch.setattr(uses, "installed", lambda: {"numpy": "2.0.0", "torch": "2.13.0", "tensorflow-cpu": "2.20.0"})
    assert fingerprint.out_of_date(made, parts) == []
    monkeypatch.setattr(uses, "installed", lambda: {"numpy": "2.1.0", "tensorflow-cpu": "2.21.0"})
    assert fingerprint.out_of_date(made, parts) == ["numpy 2.0.0 -> 2.1.0", "torch 2.13.0 was removed"]
    assert fingerprint.out_of_date(made, {**parts, "source": "x"})[0] == "its source changed"


def test_the_same_inputs_give_the_same_key_and_any_change_another(tmp_path):
    base = parts_of(tmp_path)
    assert fingerprint.key(base) == fingerprint.key(parts_of(tmp_path))
    assert fingerprint.key(base) != fingerprint.key(parts_of(tmp_path, "print(2)\n"))
    assert fingerprint.key(base) != fingerprint.key(parts_of(tmp_path, first_notebook_cell="# other"))


def test_what_changed_is_said_in_words(tmp_path):
    old = parts_of(tmp_path)
    new = {**old, "tools": {"sphinx-gallery": "9.0"}, "python": "CPython 3.99.0",
           "code": {**old["code"], "gallery_runner.terminal": "0" * 64, "my_scraper": "1" * 64}}
    said = fingerprint.changes(old, new)
    assert f"sphinx-gallery {seam.VERSION} -> 9.0" in said
    assert f"python {old['python']} -> CPython 3.99.0" in said
    assert "the rendering of printed output changed" in said and "the module my_scraper changed" in said
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
