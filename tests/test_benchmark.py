"""The build-speed benchmark measures what it says (its times are never asserted)."""

from __future__ import annotations

import importlib.util

from helpers import EXAMPLES, ROOT

spec = importlib.util.spec_from_file_location("build_speed", ROOT / "benchmarks" / "build_speed.py")
build_speed = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_speed)


def test_floor_runs_every_example_in_tutorial_order():
    paths = build_speed.examples_in_order()
    assert [(p.parent.name, p.name) for p in paths] == [(f, n) for f, n, _ in EXAMPLES]


def test_report_shows_every_figure_against_its_target_and_the_previous_run():
    medians = {"floor_s": 10.0, "clean_s": 12.0, "clean_english_s": 10.0, "noop_s": 1.2, "one_example_s": 5.0,
               "example_alone_s": 4.0, "clean_peak_mib": 800.0}
    result = {"medians": medians, "rounds": 3, "edited_example": "dynamic_net.py",
              "ratios": {"clean_over_floor": 1.2, "languages_over_english": 1.2, "one_example_over_alone": 1.25,
                         "one_example_minus_alone_s": 1.0}}
    previous = {"medians": dict(medians, clean_s=20.0)}
    text = build_speed.report(result, previous)
    assert "clean / floor                      1.20x" in text
    assert "all languages / English only       1.20x   (target <= 1.3)" in text
    assert "+1.00 s" in text and "1.20 s  (target <= 1.0 s)" in text
    clean_line = next(line for line in text.splitlines() if line.startswith("clean make html"))
    assert "12.00 s" in clean_line and "20.00 s" in clean_line
