"""Unit tests of tutorial_site.ordering: the tutorial's order of the examples."""

from __future__ import annotations

import runpy
from types import SimpleNamespace

from helpers import EXAMPLES, ROOT
from gallery_runner.staleness import guess_cost
from tutorial_site import ordering


def test_example_order_follows_the_list_and_puts_unknown_files_last():
    order = ordering.ExampleOrder(("b.py", "a.py"))
    names = ["z.py", "a.py", "c.py", "b.py"]
    assert sorted(names, key=order) == ["b.py", "a.py", "c.py", "z.py"]
    # full paths sort by their file name
    assert order("/somewhere/examples/a.py") == (1, "a.py")


def test_conf_orders_examples_as_the_tutorial_does_and_runs_every_script():
    conf = runpy.run_path(str(ROOT / "conf.py"))
    assert conf["example_order"] == [f for _, f, _ in EXAMPLES]
    config = SimpleNamespace(example_order=conf["example_order"], sphinx_gallery_conf=dict(conf["sphinx_gallery_conf"]))
    ordering.apply_example_order(None, config)
    order = config.sphinx_gallery_conf["within_subsection_order"]
    # equal configs compare equal, or Sphinx would rebuild everything each time
    assert order == ordering.ExampleOrder(tuple(f for _, f, _ in EXAMPLES))
    assert config.sphinx_gallery_conf["filename_pattern"] == r"\.py$"  # every script runs (conf.py says so)


def test_conf_pys_own_within_subsection_order_wins():
    config = SimpleNamespace(example_order=["a.py"], sphinx_gallery_conf={"within_subsection_order": "FileNameSortKey"})
    ordering.apply_example_order(None, config)
    assert config.sphinx_gallery_conf["within_subsection_order"] == "FileNameSortKey"


def test_a_clean_build_guesses_the_longest_examples_first():
    # No recorded run yet: the engine's guess (what each imports, its length) starts the longest first.
    guess = {path.name: guess_cost(path) for path in ROOT.glob("examples_*/*.py")}
    ranked = sorted(guess, key=guess.get, reverse=True)
    # The three that take longest here (all_nine_methods ~5 s, accelerator_speedup ~4.4 s,
    # tf_two_layer_net ~2 s against ~1 s for the others) start first.
    assert set(ranked[:3]) == {"all_nine_methods.py", "accelerator_speedup.py", "tf_two_layer_net.py"}
    assert ranked[0] == "all_nine_methods.py"
