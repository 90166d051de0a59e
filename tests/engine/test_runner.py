"""Unit tests of gallery_runner.runner: each example in a process of its own, every ending reported."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from gallery_runner import runner, seam, threads
from gallery_runner.examples import Example

from .galleries import gallery_app


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
    monkeypatch.setattr(runner, "rules", runner.Rules(time_limit=1.0, nonfinite_fails=True))
    start = time.monotonic()
    results = runner.run_examples([task], app.config.sphinx_gallery_conf, workers=2, time_limit=1.0)
    assert time.monotonic() - start < 10  # never a hang
    out_vars = results[task.key][3]
    if message is None:
        assert out_vars == {"passing": True} and "formatted_exception" not in out_vars
    else:
        assert "passing" not in out_vars
        assert re.search(message, out_vars["formatted_exception"], re.S), out_vars["formatted_exception"]
        assert not Path(f"{task.target}.md5").exists()  # it runs again next time


def test_printing_nan_fails_only_where_conf_py_says_so(tmp_path, monkeypatch):
    app = gallery_app(tmp_path)
    (tmp_path / "examples" / "example.py").write_text('"""Title\n=====\n"""\nprint(1)\n')
    task = Example((tmp_path / "examples" / "example.py").resolve(), (tmp_path / "docs" / "generated").resolve())
    monkeypatch.setattr(seam, "generate_file_rst", fake_example_run("prints nan"))
    monkeypatch.setattr(runner, "rules", runner.Rules())  # sphinx-gallery's way: printed output is the example's
    results = runner.run_examples([task], app.config.sphinx_gallery_conf, workers=1, time_limit=0)
    assert results[task.key][3] == {"passing": True}


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
    results = runner.run_examples(tasks, app.config.sphinx_gallery_conf, workers=3, time_limit=0)
    assert time.monotonic() - start < 1.4  # three half-second examples at once
    pids = {result[3]["pid"] for result in results.values()}
    assert len(pids) == 3 and os.getpid() not in pids


def test_preloading_imports_only_what_the_examples_use_and_starts_no_thread(tmp_path):
    """A child forked from a process whose libraries run threads may deadlock; preloading starts none."""
    script = tmp_path / "example.py"
    script.write_text("import numpy\nimport torch\nimport matplotlib.pyplot as plt\nimport tensorflow\n")
    code = (
        "import os, sys; from pathlib import Path; from gallery_runner import runner\n"
        "from gallery_runner.examples import Example\n"
        "task = Example(Path(sys.argv[2], 'example.py'), None)\n"
        "loaded = runner.preload(('numpy', 'matplotlib.pyplot', 'torch', 'torch._dynamo'), [task])\n"
        "print(loaded, len(os.listdir('/proc/self/task')), 'tensorflow' in sys.modules)\n"
    )
    env = {**os.environ, **{name: "1" for name in threads.THREAD_VARIABLES}, "MPLBACKEND": "agg"}
    result = subprocess.run([sys.executable, "-c", code, "unused", str(tmp_path)],
                            capture_output=True, text=True, env=env, check=True)
    assert result.stdout.split("]")[1].split() == ["1", "False"], result.stdout
    assert "'torch'" in result.stdout and "'numpy'" in result.stdout and "'torch._dynamo'" in result.stdout


def test_thread_pools_are_sized_unless_the_environment_says_otherwise(monkeypatch):
    for name in threads.THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    threads.limit_threads(None, SimpleNamespace(example_threads=1))
    assert os.environ["OMP_NUM_THREADS"] == "3"
    assert all(os.environ[name] == "1" for name in threads.THREAD_VARIABLES[1:])
