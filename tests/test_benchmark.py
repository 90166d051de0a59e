"""The benchmarks measure what they say (their times are never asserted)."""

from __future__ import annotations

import importlib.util

import pytest

from helpers import EXAMPLES, ROOT



def benchmark(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_speed = benchmark("build_speed")
suite_time = benchmark("suite_time")
long_output = benchmark("long_output")


def test_floor_runs_every_example_in_tutorial_order():
    paths = build_speed.examples_in_order()
    assert [(p.parent.name, p.name) for p in paths] == [(f, n) for f, n, _ in EXAMPLES]


def test_report_shows_every_figure_against_its_target_and_the_previous_run():
    medians = {"floor_s": 10.0, "clean_s": 12.0, "clean_english_s": 10.0, "noop_s": 1.2, "one_example_s": 5.0,
               "example_alone_s": 4.0, "clean_peak_mib": 800.0, "cache_only_s": 6.5}
    gallery = {"examples": 200, "total_s": 600.0, "fill_s": 70.0, "cache_only_s": 30.0,
               "partitions": {"4": {"longest_s": 151.5, "ideal_s": 150.0, "ratio": 1.01}}}
    result = {"medians": medians, "rounds": 3, "edited_example": "dynamic_net.py",
              "ratios": {"clean_over_floor": 1.2, "languages_over_english": 1.2, "one_example_over_alone": 1.25,
                         "one_example_minus_alone_s": 1.0}, "simulated_gallery": gallery}
    previous = {"medians": dict(medians, clean_s=20.0)}
    text = build_speed.report(result, previous)
    assert "clean / floor                      1.20x" in text
    assert "all languages / English only       1.20x   (target <= 1.3)" in text
    assert "+1.00 s" in text and "1.20 s  (target <= 1.0 s)" in text
    clean_line = next(line for line in text.splitlines() if line.startswith("clean make html"))
    assert "12.00 s" in clean_line and "20.00 s" in clean_line
    assert "make html EXECUTE=never, full cache" in text and "6.50 s" in text
    assert "   4 shards: longest 151.5 s, ideal 150.0 s, 1.010x  (target <= 1.10)" in text
    assert "cache-only make html of that gallery: 30.00 s" in text


# What `make test PYTEST_ARGS=--durations=20` prints at its end (shortened).
MAKE_TEST_OUTPUT = """\
........................................................................ [ 98%]
......                                                                   [100%]
============================= slowest 20 durations =============================
26.07s setup    tests/test_standalone.py::test_example_runs_as_a_script[two_layer_net_numpy]
15.77s setup    tests/test_accessibility.py::test_the_keyboard_reaches_search_and_menu
2.80s call     tests/test_claims.py::test_numpy_and_tensorflow_agree_until_float32_runs_out
======================= 348 passed in 135.14s (0:02:15) ========================
"""


def test_suite_time_reads_pytests_time_counts_and_slowest_tests():
    found = suite_time.parse(MAKE_TEST_OUTPUT)
    assert found["pytest_s"] == 135.14 and found["counts"] == "348 passed"
    slowest = (26.07, "setup", "tests/test_standalone.py::test_example_runs_as_a_script[two_layer_net_numpy]")
    assert found["slowest"][0] == slowest
    assert [phase for _, phase, _ in found["slowest"]] == ["setup", "setup", "call"]
    assert suite_time.parse("make: *** [Makefile:97: test] Error 4")["pytest_s"] is None


def test_suite_time_reports_the_slowest_round_against_the_target_and_the_previous_run():
    one = {"make_test_s": 138.0, "exit_status": 0, "cpu_s": 262.0, "cpus_busy": 0.95,
           **suite_time.parse(MAKE_TEST_OUTPUT)}
    rounds = [one, dict(one, make_test_s=151.5, exit_status=1, counts="1 failed, 347 passed"),
              dict(one, make_test_s=140)]
    text = suite_time.report({"machine": {"cpus": 2}, "raw": rounds}, {"medians": {"make_test_s": 160.0}})
    make_test = next(line for line in text.splitlines() if line.startswith("make test "))
    assert make_test.split() == ["make", "test", "140.0", "s", "151.5", "s", "160.0", "s"]  # median, slowest, previous
    assert "slowest round 151.5 s: OVER the 150 s target" in text
    assert "151.5 s, 1 failed, 347 passed, exit status 1" in text
    assert "26.07 s  setup" in text  # the slowest tests, of the median round
    assert "within the 150 s target" in suite_time.report({"machine": {"cpus": 2}, "raw": [one]}, None)


@pytest.mark.slow
def test_long_output_builds_an_example_printing_that_many_lines_and_measures_its_page(tmp_path):
    run = long_output.build(3000, tmp_path)
    assert run["lines"] == 3000 and run["seconds"] > 0
    assert set(run["bytes"]) == {"page", "source", "search index"}
    page = next(tmp_path.glob("site-3000-*/_build/html/auto_examples/line/chatty.html")).read_text(encoding="utf-8")
    assert "step    3000  loss 0.00033333" in page and "[... 2,000 lines not shown here ...]" in page


def test_long_output_reports_the_extra_time_per_line_over_the_build_printing_nothing():
    sizes = {"page": 40_000, "source": 35_000, "search index": 3_900}
    result = {"runs": [{"lines": 0, "seconds": 2.0, "bytes": sizes},
                       {"lines": 200_000, "seconds": 6.0, "bytes": sizes}]}
    text = long_output.report(result, {"runs": [{"lines": 200_000, "seconds": 10.0}]})
    assert "200,000    6.00s                2.00 s     40,000     35,000         3,900" in text
    assert "previous run: 200,000 lines 10.00 s" in text
