"""Unit tests of gallery_runner.provenance: the record of a run, and the words of its line."""

from __future__ import annotations

import json
from types import SimpleNamespace

from gallery_runner import machine, provenance, seam, uses
from gallery_runner.examples import Example

PAGE = """Title
=====

.. rst-class:: sphx-glr-timing

   **Total running time of the script:** (0 minutes 1.234 seconds)


.. _sphx_glr_download_auto_examples_one.py:
"""


def example(tmp_path) -> Example:
    (tmp_path / "examples").mkdir()
    (tmp_path / "gen").mkdir()
    script = tmp_path / "examples" / "one.py"
    script.write_text('"""One."""\nimport packaging\nimport json\n')
    return Example(script, tmp_path / "gen")


def test_a_run_records_where_when_and_with_what_it_ran(tmp_path, monkeypatch):
    task = example(tmp_path)
    monkeypatch.setattr(machine, "_probes", [lambda modules: {"accelerator": "1 x Test GPU"} if "json" in modules
                                             else {}])
    record = provenance.write_record(task, {"packaging", "json", "no_such_module"}, 1.23456)
    assert json.loads(task.provenance_record.read_text()) == record
    assert record["file"] == "one.py" and record["run_time"] == 1.235
    assert record["uses"] == {"packaging": uses.installed()["packaging"]}
    assert record["imports"] == [["packaging", uses.installed()["packaging"]]]  # its own, in its order
    ran = record["ran_on"]
    assert ran["cpu"] == machine.cpu_model() and ran["cores"] >= 1 and ran["accelerator"] == "1 x Test GPU"
    assert ran["python"].startswith(("CPython", "PyPy")) and ran["date"].endswith("+00:00")


def test_the_page_gets_the_line_under_its_running_time_once(tmp_path):
    task = example(tmp_path)
    page = task.generated_file(".rst")
    page.write_text(PAGE)
    provenance.mark_page(task)
    assert page.read_text() == PAGE  # no record, no line
    provenance.write_record(task, set(), 0.5)
    provenance.mark_page(task)
    provenance.mark_page(task)
    text = page.read_text()
    assert text.count(".. example-provenance:: .example_runs/one.ran.json") == 1
    assert text.index("Total running time") < text.index("example-provenance") < text.index("_sphx_glr_download")
    assert seam.after_running_time("no timing here\n", ".. x::") == "no timing here\n"


def test_the_line_in_english_and_in_a_sites_own_words():
    record = {"ran_on": {"cpu": "AMD EPYC 7763", "cores": 4, "python": "CPython 3.11.7",
                         "date": "2026-12-06T10:00:00+00:00"}, "run_time": 3.21,
              "imports": [["torch", "2.13.0"], ["numpy", "2.4.6"]]}
    english = SimpleNamespace(emit_firstresult=lambda *args: None)
    assert provenance.words(english, "line", record) == (
        "Ran on AMD EPYC 7763 (4 cores), torch 2.13.0, numpy 2.4.6, Python 3.11.7, on 2026-12-06, in 3.2 s "
        "({link}).")
    assert provenance.words(english, "cell", {**record, "ran_on": {**record["ran_on"], "accelerator": "1 x H100"}}) \
        == "AMD EPYC 7763 (4 cores) with 1 x H100, 2026-12-06"
    asked = []
    own = SimpleNamespace(emit_firstresult=lambda event, form, facts: asked.append((event, form, facts)) or "mine")
    assert provenance.words(own, "header", record) == "mine"
    assert asked[0][:2] == ("example-provenance-text", "header") and asked[0][2]["seconds"] == "3.2"
