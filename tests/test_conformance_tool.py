"""tools/conformance.py, the judge of the engine: what it counts as a difference from stock sphinx-gallery."""

from __future__ import annotations

import importlib.util

from helpers import ROOT

spec = importlib.util.spec_from_file_location("conformance", ROOT / "tools" / "conformance.py")
conformance = importlib.util.module_from_spec(spec)
spec.loader.exec_module(conformance)


def test_a_test_stock_passes_must_pass_with_the_engine_unless_listed_with_its_reason():
    stock = {"t::a": "passed", "t::b": "passed"}
    assert conformance.compare(stock, {"t::a": "passed", "t::b": "failed: boom"}, {}, complete=True) == [
        "t::b: passes with stock sphinx-gallery, failed: boom with the engine"]
    assert conformance.compare(stock, {"t::a": "passed", "t::b": "failed: boom"}, {"t::b": "why"}, complete=True) == []
    # A listed test that passes again must leave the list.
    assert "remove it" in conformance.compare(stock, stock, {"t::b": "why"}, complete=True)[0]


def test_a_test_that_fails_on_both_sides_must_fail_the_same_way():
    """Offline, a test that needs the network fails with stock too: it must not hide what fails before that."""
    stock = {"t::net": "failed: AssertionError: no link with text 'np.arange'"}
    assert conformance.compare(stock, dict(stock), {}, complete=True) == []
    problems = conformance.compare(stock, {"t::net": "failed: AssertionError: assert False"}, {}, complete=True)
    assert problems and "with the engine" in problems[0]


def test_outcomes_keep_a_failures_message_without_the_sides_folder(tmp_path):
    report = tmp_path / "r.xml"
    report.write_text('<testsuite><testcase classname="test_full" name="t">'
                      f'<failure message="AssertionError: {tmp_path}/engine/x at 0x7f12ab34cd56 missing&#10;more"/>'
                      '</testcase><testcase classname="test_full" name="u"/></testsuite>')
    assert conformance.outcomes(report, tmp_path / "engine") == {
        "test_full::t": "failed: AssertionError: {side}/x at 0x missing", "test_full::u": "passed"}
