"""Unit tests of tutorial_site.execution."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from helpers import ROOT
from tutorial_site import execution as ep
from tutorial_site import seam
from tutorial_site.examples import Example


def gallery_app(tmp_path: Path, **conf_overrides) -> SimpleNamespace:
    """A stand-in Sphinx app with one gallery: tmp_path/examples -> tmp_path/docs/generated."""
    (tmp_path / "examples").mkdir(exist_ok=True)
    (tmp_path / "docs" / "generated").mkdir(parents=True, exist_ok=True)
    conf = dict(examples_dirs=["../examples"], gallery_dirs=["generated"], ignore_pattern=r"__init__\.py",
                within_subsection_order="FileNameSortKey",
                filename_pattern=r"\.py$", plot_gallery=True, source_suffix={".rst": "rst"},
                src_dir=str(tmp_path / "docs"), expected_failing_examples=[])
    conf.update(conf_overrides)
    conf = seam.filled_conf(conf)
    return SimpleNamespace(config=SimpleNamespace(sphinx_gallery_conf=conf), srcdir=tmp_path / "docs")


def finished_run(task: Example, outputs: dict[str, str]) -> None:
    """Leave what a finished, passing run of ``task`` leaves: outputs, checksum, list."""
    for name, text in outputs.items():
        (task.gallery_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (task.gallery_dir / name).write_text(text)
    task.checksum_file.write_text(seam.checksum(task.source))
    task.manifest.write_text(json.dumps(ep.example_outputs(task)))


def test_examples_to_run_skips_up_to_date_ones_and_puts_the_longest_first(tmp_path):
    app = gallery_app(tmp_path)
    examples, generated = tmp_path / "examples", (tmp_path / "docs" / "generated").resolve()
    sources = {
        "plain.py": "print(1)\n",
        "uses_torch.py": "import torch\n",
        "uses_tf.py": "import tensorflow as tf\n",
        "measured.py": "import torch\n# ran for 10 s last time\n",
        "unchanged.py": "import tensorflow\n",
    }
    for name, text in sources.items():
        (examples / name).write_text(text)
    (generated / "measured.cost.json").write_text('{"time": 10.0, "memory": 0.0}')
    finished_run(Example(examples.resolve() / "unchanged.py", generated), {"unchanged.rst": "page\n"})

    order = [task.name for task in ep.examples_to_run(app)]
    assert order == ["measured.py", "uses_tf.py", "uses_torch.py", "plain.py"]


def test_an_example_runs_again_when_its_run_did_not_finish_or_an_output_is_gone(tmp_path):
    app = gallery_app(tmp_path)
    conf = app.config.sphinx_gallery_conf
    (tmp_path / "examples" / "one.py").write_text("print(1)\n")
    task = Example((tmp_path / "examples" / "one.py").resolve(), (tmp_path / "docs" / "generated").resolve())
    assert ep.why_run(task, conf) == "its source changed"
    page = ".. image-sg:: /generated/images/sphx_glr_one_001.png\n"
    finished_run(task, {"one.rst": page, "one.ipynb": "{}", "one.py": "print(1)\n",
                        "images/sphx_glr_one_001.png": "png", "images/thumb/sphx_glr_one_thumb.png": "png"})
    assert json.loads(task.manifest.read_text()) == [
        "images/sphx_glr_one_001.png", "images/thumb/sphx_glr_one_thumb.png", "one.ipynb", "one.py", "one.rst",
    ]
    assert ep.why_run(task, conf) is None
    assert ep.why_run(task, {**conf, "plot_gallery": False}) is None  # not run in this build at all

    (task.gallery_dir / "images" / "sphx_glr_one_001.png").unlink()
    assert ep.why_run(task, conf) == "images/sphx_glr_one_001.png is missing"
    task.manifest.unlink()
    assert ep.why_run(task, conf) == "its last run did not finish"
    (tmp_path / "examples" / "one.py").write_text("print(2)\n")
    assert ep.why_run(task, conf) == "its source changed"


def fake_example_run(behaviour: str):
    """A stand-in for sphinx-gallery's generate_file_rst that ends as ``behaviour`` says."""

    def generate(fname, target_dir, src_dir, conf):
        page = Path(target_dir, Path(fname).with_suffix(".rst"))
        page.write_text(".. rst-class:: sphx-glr-script-out\n\n.. code-block:: none\n\n    step 1  loss 0.5\n")
        if conf["plot_gallery"] and behaviour != "passes":
            source = str(Path(src_dir, fname))
            code = {
                "raises": "raise ValueError('bad')",
                "sys.exit": "import sys; sys.exit(2)",
                "os._exit": "import os; os._exit(3)",
                "segfault": "import ctypes; ctypes.string_at(0)",
                "hangs in C": "import ctypes; ctypes.CDLL(None).sleep(60)",
                "prints nan": "print('step 1  loss nan')",
            }[behaviour]
            if behaviour == "raises":
                return "intro", "title", (0.0, 0.0), {"formatted_exception": "ValueError: bad"}
            if behaviour == "prints nan":
                page.write_text(page.read_text().replace("0.5", "nan"))
                return "intro", "title", (0.0, 0.0), {"passing": True}
            exec(compile("\n" * 4 + code, source, "exec"), {})
        return "intro", "title", (1.0, 0.0), {"passing": True} if conf["plot_gallery"] else {}

    return generate


@pytest.mark.parametrize(
    ("behaviour", "message"),
    [
        ("passes", None),
        ("raises", "ValueError: bad"),
        ("sys.exit", r"example\.py\", line 5, in <module>\n.*SystemExit: 2\nexample\.py called sys\.exit\(2\)"),
        ("os._exit", r"example\.py ended its process with exit status 3 before it finished.*"
                     r"Where it was:\n  File \".*example\.py\", line 5 in <module>"),
        ("segfault", r"example\.py crashed: its process was killed by signal 11 \(SIGSEGV, Segmentation fault\)"
                     r"\.\nWhere it was:\n.*\n  File \".*example\.py\", line 5 in <module>"),
        ("hangs in C", r"example\.py ran for 1\.\d s, past the time limit of 1 s per example, so its process "
                       r"was stopped .*\nWhere it was when stopped:\n(.*\n)?  File \".*example\.py\", line 5"),
        ("prints nan", r"example\.py printed a number that is not finite \(nan or inf\), in line 1 of its "
                       r"output:\n    step 1  loss nan\n.*# sphinx_gallery_allow_nonfinite = True"),
    ],
)


def test_every_way_an_example_can_end_is_reported_by_the_process_that_ran_it(
    tmp_path, monkeypatch, caplog, behaviour, message
):
    app = gallery_app(tmp_path)
    (tmp_path / "examples" / "example.py").write_text('"""Title\n=====\n"""\nprint(1)\n')
    task = Example((tmp_path / "examples" / "example.py").resolve(), (tmp_path / "docs" / "generated").resolve())
    monkeypatch.setattr(seam, "generate_file_rst", fake_example_run(behaviour))
    start = time.monotonic()
    results = ep.run_examples([task], app.config.sphinx_gallery_conf, workers=2, time_limit=1.0)
    assert time.monotonic() - start < 10  # never a hang
    out_vars = results[task.key][3]
    if message is None:
        assert out_vars == {"passing": True} and "formatted_exception" not in out_vars
    else:
        assert "passing" not in out_vars
        assert re.search(message, out_vars["formatted_exception"], re.S), out_vars["formatted_exception"]
        assert not Path(f"{task.target}.md5").exists()  # it runs again next time


def test_the_examples_run_side_by_side_each_in_a_process_of_its_own(tmp_path, monkeypatch):
    app = gallery_app(tmp_path)
    tasks = []
    for name in ("a.py", "b.py", "c.py"):
        (tmp_path / "examples" / name).write_text('"""Title\n=====\n"""\nx = 1\n')
        tasks.append(Example((tmp_path / "examples" / name).resolve(), (tmp_path / "docs" / "generated").resolve()))

    def generate(fname, target_dir, src_dir, conf):
        time.sleep(0.5)
        Path(target_dir, Path(fname).with_suffix(".rst")).write_text("no output\n")
        return "intro", "title", (0.0, 0.0), {"passing": True, "pid": os.getpid()}

    monkeypatch.setattr(seam, "generate_file_rst", generate)
    start = time.monotonic()
    results = ep.run_examples(tasks, app.config.sphinx_gallery_conf, workers=3, time_limit=0)
    assert time.monotonic() - start < 1.4  # three half-second examples at once
    pids = {result[3]["pid"] for result in results.values()}
    assert len(pids) == 3 and os.getpid() not in pids


def test_preloading_imports_only_what_the_examples_use_and_starts_no_thread(tmp_path):
    """A child forked from a process whose libraries run threads may deadlock; preloading starts none."""
    script = tmp_path / "example.py"
    script.write_text("import numpy\nimport torch\nimport matplotlib.pyplot as plt\nimport tensorflow\n")
    code = (
        "import os, sys; from tutorial_site import execution as ep; from tutorial_site.examples import Example\n"
        "task = Example(ep.Path(sys.argv[2], 'example.py'), None)\n"
        "loaded = ep.preload(('numpy', 'matplotlib.pyplot', 'torch', 'torch._dynamo'), [task])\n"
        "print(loaded, len(os.listdir('/proc/self/task')), 'tensorflow' in sys.modules)\n"
    )
    env = {**os.environ, **{name: "1" for name in ep.THREAD_VARIABLES}, "MPLBACKEND": "agg"}
    result = subprocess.run([sys.executable, "-c", code, "unused", str(tmp_path)],
                            capture_output=True, text=True, env=env, check=True)
    assert result.stdout.split("]")[1].split() == ["1", "False"], result.stdout
    assert "'torch'" in result.stdout and "'numpy'" in result.stdout and "'torch._dynamo'" in result.stdout


def test_thread_pools_are_sized_unless_the_environment_says_otherwise(monkeypatch):
    for name in ep.THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    ep.limit_threads(None, SimpleNamespace(example_threads=1))
    assert os.environ["OMP_NUM_THREADS"] == "3"
    assert all(os.environ[name] == "1" for name in ep.THREAD_VARIABLES[1:])


def test_imported_modules_are_the_top_level_names(tmp_path):
    script = tmp_path / "example.py"
    script.write_text(
        "import numpy as np\nimport matplotlib.pyplot as plt\nfrom torch import nn\n"
        "from . import sibling\nimport os, json\n"
    )
    assert ep.imported_modules(script) == {"numpy", "matplotlib", "torch", "os", "json"}
    script.write_text("print('unclosed'\n")
    assert ep.imported_modules(script) == set()  # sphinx-gallery reports syntax errors


def test_requirement_for_finds_the_line_that_installs_a_module(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(
        "# comment\nsphinx==9.0.4   # pinned\n"
        'tensorflow-cpu==2.21.0; python_version >= "3"\n'
        'tensorflow==2.21.0; python_version < "3"\n'
        "torch==2.13.0\n"
    )
    assert ep.requirement_for("tensorflow", requirements) == "tensorflow-cpu==2.21.0"
    assert ep.requirement_for("torch", requirements) == "torch==2.13.0"
    assert ep.requirement_for("numpy", requirements) is None
    assert ep.requirement_for("torch", tmp_path / "missing.txt") is None


def test_a_clean_build_guesses_the_longest_examples_first():
    # No recorded run yet: the order comes from what each example imports and its length.
    guess = {path.name: ep.guess_cost(path) for path in ROOT.glob("examples_*/*.py")}
    ranked = sorted(guess, key=guess.get, reverse=True)
    # The three that take longest here (all_nine_methods ~5 s, accelerator_speedup ~4.4 s,
    # tf_two_layer_net ~2 s against ~1 s for the others) start first.
    assert set(ranked[:3]) == {"all_nine_methods.py", "accelerator_speedup.py", "tf_two_layer_net.py"}
    assert ranked[0] == "all_nine_methods.py"


# -- Shards -------------------------------------------------------------------------------


def test_the_partition_is_deterministic_covers_every_example_once_and_is_balanced():
    import random

    rng = random.Random(7)
    costs = {f"g/example_{i:03}.py": rng.choice([0.4, 1.1, 2.3, 5.0, 9.7]) for i in range(200)}
    for shards in (1, 4, 8, 16):
        parts = ep.partition(costs, shards)
        assert parts == ep.partition(dict(reversed(list(costs.items()))), shards)  # order of input: no matter
        assert sorted(name for part in parts for name in part) == sorted(costs)
        loads = [sum(costs[name] for name in part) for part in parts]
        assert max(loads) <= 1.10 * sum(costs.values()) / shards
    # The longest first, each onto the least-loaded shard.
    assert ep.partition({"a": 5.0, "b": 3.0, "c": 2.0, "d": 1.0}, 2) == [["a", "d"], ["b", "c"]]
    assert ep.partition({}, 3) == [[], [], []]


@pytest.mark.parametrize("text", ["0/3", "4/3", "a/b", "3", ""])
def test_a_shard_that_is_not_one_is_refused_with_the_form_to_use(text):
    with pytest.raises(ValueError, match=r"write SHARD=i/N"):
        ep.parse_shard(text)
    assert ep.parse_shard("2/3") == (2, 3)
