"""The Sphinx extensions in docs/_ext, piece by piece."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import zipfile

import pytest
from pathlib import Path
from types import SimpleNamespace

from sphinx_gallery.gen_rst import CODE_OUTPUT

from conftest import EXAMPLES, ROOT

import api_links as al  # noqa: E402  (conftest puts docs/_ext on the path)
import fast_rebuilds as fr  # noqa: E402
import example_processes as ep  # noqa: E402
import gallery_guard as gg  # noqa: E402
import hosting  # noqa: E402
import notebooks as nb  # noqa: E402
import tutorial_gallery as tg  # noqa: E402


def test_example_order_follows_the_list_and_puts_unknown_files_last():
    order = tg.ExampleOrder(("b.py", "a.py"))
    names = ["z.py", "a.py", "c.py", "b.py"]
    assert sorted(names, key=order) == ["b.py", "a.py", "c.py", "z.py"]
    # full paths sort by their file name
    assert order("/somewhere/examples/a.py") == (1, "a.py")


def test_conf_orders_examples_as_the_tutorial_does():
    sys.path.insert(0, str(ROOT))
    import conf

    assert conf.EXAMPLE_ORDER.filenames == tuple(f for _, f, _ in EXAMPLES)
    assert conf.sphinx_gallery_conf["within_subsection_order"] is conf.EXAMPLE_ORDER
    # equal configs compare equal, or Sphinx would rebuild everything each time
    assert tg.ExampleOrder(conf.EXAMPLE_ORDER.filenames) == conf.EXAMPLE_ORDER


def test_script_output_is_read_from_sphinx_gallerys_own_format():
    def block(text):  # exactly what sphinx-gallery writes for a cell's output
        return CODE_OUTPUT.format("\n".join("    " + line for line in text.splitlines()))

    rst = "\n".join(["Title", "=====", "", ".. code-block:: Python", "",
                     "    print('hi')", "", block("first\n\n  indented"), "", "Some text.",
                     "", block("second"), ""])
    assert tg.read_script_output(rst) == "first\n\n  indented\nsecond"
    assert tg.read_script_outputs(rst) == ["first\n\n  indented", "second"]
    assert tg.read_script_output("no output at all\n") == ""


def test_images_are_read_once_each_in_page_order():
    rst = (".. image-sg:: /auto_examples/x/images/sphx_glr_a_001.png\n   :alt: a\n\n"
           ".. image-sg:: /auto_examples/x/images/sphx_glr_a_002.png\n"
           ".. image-sg:: /auto_examples/x/images/sphx_glr_a_001.png\n")
    assert tg.read_images(rst) == [
        "/auto_examples/x/images/sphx_glr_a_001.png",
        "/auto_examples/x/images/sphx_glr_a_002.png",
    ]


def test_example_code_drops_the_docstring_and_text_cells(tmp_path):
    script = tmp_path / "ex.py"
    script.write_text('"""\nTitle\n=====\n\nIntro.\n"""\n\nimport os\n\n'
                      "# %%\n# A text cell.\n\nx = 1  # why\n")
    assert tg.example_code(script) == "import os\n\nx = 1  # why"


def test_the_narrative_page_folds_device_choice_and_plotting_and_nothing_else():
    device = 'device = (\n    torch.device("cuda") if ok else torch.device("cpu")\n)\nprint(f"Running on: {device}")'
    plotting = 'fig, ax = plt.subplots()\nax.semilogy(losses)\nax.set_title("t")\nplt.show()'
    assert tg.boilerplate(device) == "How the device is chosen"
    assert tg.boilerplate(plotting) == "How the figure is drawn"
    assert tg.boilerplate(device + "\nx = torch.randn(3)") is None  # data is part of the lesson
    assert tg.boilerplate(plotting + "\nprint(losses[-1])") is None
    assert tg.boilerplate("for step in range(3):\n    loss = step") is None
    assert tg.boilerplate("not python (") is None


def test_a_text_cells_titles_become_rubrics_on_the_narrative_page():
    text = "Training\n--------\nEach step runs the network.\n\nMore\n~~~~\nText."
    assert tg.text_for_the_page(text) == (
        ".. rubric:: Training\n\nEach step runs the network.\n\n.. rubric:: More\n\nText."
    )


def test_times_page_loses_its_cdn_assets_and_keeps_its_table(site):
    for page in [site.project / "docs" / "sg_execution_times.rst",
                 *sorted((site.project / "docs" / "auto_examples").glob("*/sg_execution_times.rst"))]:
        source = [page.read_text(encoding="utf-8")]
        assert "://" in source[0]  # sphinx-gallery still writes the CDN links
        tg.keep_times_page_offline(None, "auto_examples/x/sg_execution_times", source)
        assert "://" not in source[0]
        assert "<script" not in source[0]
        assert ".. list-table::" in source[0]


def test_other_pages_are_left_alone():
    source = ["see https://example.org\n"]
    tg.keep_times_page_offline(None, "tutorial", source)
    assert source == ["see https://example.org\n"]


def test_archive_is_reproducible_and_not_rewritten_when_unchanged(tmp_path):
    examples = tmp_path / "examples_a"
    examples.mkdir()
    (examples / "one.py").write_text("print(1)\n")
    gallery = tmp_path / "docs" / "auto_examples" / "a"
    gallery.mkdir(parents=True)
    (gallery / "one.ipynb").write_text("{}")
    app = SimpleNamespace(
        srcdir=tmp_path / "docs",
        config=SimpleNamespace(sphinx_gallery_conf={
            "examples_dirs": ["../examples_a"],
            "gallery_dirs": ["auto_examples/a"],
            "within_subsection_order": tg.ExampleOrder(("one.py",)),
        }),
    )
    tg.write_examples_archive(app)
    archive = tmp_path / "docs" / tg.ARCHIVE
    first, mtime = archive.read_bytes(), archive.stat().st_mtime_ns
    with zipfile.ZipFile(archive) as zf:
        assert zf.namelist() == ["examples_a/one.py", "examples_a/one.ipynb"]
    tg.write_examples_archive(app)
    assert archive.read_bytes() == first
    assert archive.stat().st_mtime_ns == mtime
    (examples / "one.py").write_text("print(2)\n")
    tg.write_examples_archive(app)
    assert archive.read_bytes() != first


# -- gallery_guard ------------------------------------------------------------------


@pytest.mark.parametrize("failed", [False, True])
def test_a_build_that_saw_a_problem_prunes_nothing(tmp_path, failed):
    html = tmp_path / "_build" / "html"
    stale = [html / "_images" / "gone.png", html / "_downloads" / "0123" / "gone.ipynb"]
    for path in stale:
        path.parent.mkdir(parents=True)
        path.write_text("left by the last good build")
    conf = {"examples_dirs": [], "gallery_dirs": [], "failing_examples": {"x.py": "boom"} if failed else {}}
    app = SimpleNamespace(
        builder=SimpleNamespace(format="html"), outdir=html, srcdir=tmp_path / "docs",
        doctreedir=tmp_path / "_build" / "doctrees", statuscode=0,
        env=SimpleNamespace(all_docs={}, dlfiles={}, images={}),
        config=SimpleNamespace(sphinx_gallery_conf=conf),
    )
    gg.prune_stale_output(app, None)
    assert [path.exists() for path in stale] == [failed, failed]


def test_imported_modules_are_the_top_level_names(tmp_path):
    script = tmp_path / "example.py"
    script.write_text(
        "import numpy as np\nimport matplotlib.pyplot as plt\nfrom torch import nn\n"
        "from . import sibling\nimport os, json\n"
    )
    assert gg.imported_modules(script) == {"numpy", "matplotlib", "torch", "os", "json"}
    script.write_text("print('unclosed'\n")
    assert gg.imported_modules(script) == set()  # sphinx-gallery reports syntax errors


def test_requirement_for_finds_the_line_that_installs_a_module(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(
        "# comment\nsphinx==9.0.4   # pinned\n"
        'tensorflow-cpu==2.21.0; python_version >= "3"\n'
        'tensorflow==2.21.0; python_version < "3"\n'
        "torch==2.13.0\n"
    )
    assert gg.requirement_for("tensorflow", requirements) == "tensorflow-cpu==2.21.0"
    assert gg.requirement_for("torch", requirements) == "torch==2.13.0"
    assert gg.requirement_for("numpy", requirements) is None
    assert gg.requirement_for("torch", tmp_path / "missing.txt") is None


# -- fast_rebuilds ----------------------------------------------------------------


def test_matplotlib_is_not_imported_at_configuration_time_only_set_to_agg(monkeypatch):
    eager = []
    monkeypatch.setattr(fr, "_eager_import", lambda: eager.append("imported"))
    monkeypatch.delenv("MPLBACKEND", raising=False)
    monkeypatch.delitem(sys.modules, "matplotlib", raising=False)
    fr.import_matplotlib_lazily()
    assert os.environ["MPLBACKEND"] == "agg"
    assert "matplotlib" not in sys.modules and not eager
    # Once matplotlib is imported, sphinx-gallery's own check runs as before.
    monkeypatch.setitem(sys.modules, "matplotlib", object())
    fr.import_matplotlib_lazily()
    assert eager == ["imported"]


# -- example_processes --------------------------------------------------------------


def gallery_app(tmp_path: Path, **conf_overrides) -> SimpleNamespace:
    """A stand-in Sphinx app with one gallery: tmp_path/examples -> tmp_path/docs/generated."""
    from sphinx_gallery.gen_gallery import DEFAULT_GALLERY_CONF

    (tmp_path / "examples").mkdir(exist_ok=True)
    (tmp_path / "docs" / "generated").mkdir(parents=True, exist_ok=True)
    conf = dict(DEFAULT_GALLERY_CONF, examples_dirs=["../examples"], gallery_dirs=["generated"],
                filename_pattern=r"\.py$", plot_gallery=True, source_suffix={".rst": "rst"},
                src_dir=str(tmp_path / "docs"), expected_failing_examples=[])
    conf.update(conf_overrides)
    return SimpleNamespace(config=SimpleNamespace(sphinx_gallery_conf=conf), srcdir=tmp_path / "docs")


def finished_run(task: ep.Task, outputs: dict[str, str]) -> None:
    """Leave what a finished, passing run of ``task`` leaves: outputs, checksum, list."""
    from sphinx_gallery.utils import get_md5sum

    for name, text in outputs.items():
        (task.gallery_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (task.gallery_dir / name).write_text(text)
    Path(f"{task.target}.md5").write_text(get_md5sum(task.source, mode="t"))
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
    finished_run(ep.Task("unchanged.py", generated, examples.resolve()), {"unchanged.rst": "page\n"})

    order = [task.fname for task in ep.examples_to_run(app)]
    assert order == ["measured.py", "uses_tf.py", "uses_torch.py", "plain.py"]


def test_an_example_runs_again_when_its_run_did_not_finish_or_an_output_is_gone(tmp_path):
    app = gallery_app(tmp_path)
    conf = app.config.sphinx_gallery_conf
    (tmp_path / "examples" / "one.py").write_text("print(1)\n")
    task = ep.Task("one.py", (tmp_path / "docs" / "generated").resolve(), (tmp_path / "examples").resolve())
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
    task = ep.Task("example.py", (tmp_path / "docs" / "generated").resolve(), (tmp_path / "examples").resolve())
    monkeypatch.setattr(ep, "_generate_file_rst", fake_example_run(behaviour))
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
        tasks.append(ep.Task(name, (tmp_path / "docs" / "generated").resolve(), (tmp_path / "examples").resolve()))

    def generate(fname, target_dir, src_dir, conf):
        time.sleep(0.5)
        Path(target_dir, Path(fname).with_suffix(".rst")).write_text("no output\n")
        return "intro", "title", (0.0, 0.0), {"passing": True, "pid": os.getpid()}

    monkeypatch.setattr(ep, "_generate_file_rst", generate)
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
        "import os, sys; sys.path.insert(0, sys.argv[1]); import example_processes as ep\n"
        "task = ep.Task('example.py', None, ep.Path(sys.argv[2]))\n"
        "loaded = ep.preload(('numpy', 'matplotlib.pyplot', 'torch'), [task])\n"
        "print(loaded, len(os.listdir('/proc/self/task')), 'tensorflow' in sys.modules)\n"
    )
    env = {**os.environ, **{name: "1" for name in ep.THREAD_VARIABLES}, "MPLBACKEND": "agg"}
    result = subprocess.run([sys.executable, "-c", code, str(ROOT / "docs" / "_ext"), str(tmp_path)],
                            capture_output=True, text=True, env=env, check=True)
    assert result.stdout.split("]")[1].split() == ["1", "False"], result.stdout
    assert "'torch'" in result.stdout and "'numpy'" in result.stdout


def test_the_stack_shown_is_the_examples_own(tmp_path):
    dump = (
        "Thread 0x00007f0000000002 (most recent call first):\n"
        '  File "/lib/threading.py", line 320 in wait\n'
        "\n"
        "Current thread 0x00007f0000000001 (most recent call first):\n"
        f'  File "{ep.__file__}", line 400 in exit_showing_where\n'
        '  File "/lib/torch/functional.py", line 12 in matmul\n'
        '  File "/src/examples/example.py", line 7 in train\n'
        '  File "/src/examples/example.py", line 20 in <module>\n'
        '  File "/lib/sphinx_gallery/gen_rst.py", line 900 in __call__\n'
    )
    assert ep.where_it_was(dump, Path("/src/examples/example.py")) == (
        '  File "/lib/torch/functional.py", line 12 in matmul\n'
        '  File "/src/examples/example.py", line 7 in train\n'
        '  File "/src/examples/example.py", line 20 in <module>'
    )
    assert ep.where_it_was(dump, Path("/src/examples/other.py")) == ""
    assert ep.describe_signal(9) == "signal 9 (SIGKILL, Killed)"


def test_thread_pools_are_sized_unless_the_environment_says_otherwise(monkeypatch):
    for name in ep.THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    ep.limit_threads(None, SimpleNamespace(example_threads=1))
    assert os.environ["OMP_NUM_THREADS"] == "3"
    assert all(os.environ[name] == "1" for name in ep.THREAD_VARIABLES[1:])


# -- Long outputs on the narrative page (tutorial_gallery.shorten_output) -------------


def test_a_long_output_is_cut_to_its_first_and_last_lines():
    short = "\n".join(f"line {i}" for i in range(tg.OUTPUT_LINES))
    assert tg.shorten_output(short) == (short, 0)
    long = "\n".join(f"line {i}" for i in range(200_000))
    shown, left_out = tg.shorten_output(long)
    lines = shown.splitlines()
    assert left_out == 200_000 - tg.OUTPUT_HEAD - tg.OUTPUT_TAIL
    assert lines[: tg.OUTPUT_HEAD] == [f"line {i}" for i in range(tg.OUTPUT_HEAD)]
    assert lines[tg.OUTPUT_HEAD] == f"[... {left_out:,} lines not shown here ...]"
    assert lines[-1] == "line 199999" and len(lines) == tg.OUTPUT_HEAD + 1 + tg.OUTPUT_TAIL
    wide, _ = tg.shorten_output("x" * 10_000)
    assert len(wide) < tg.OUTPUT_WIDTH + 10 and wide.endswith("[...]")


# -- One example at a time (gallery_guard.only_example) -----------------------------


@pytest.mark.parametrize("name", ["dynamic_net", "dynamic_net.py", "examples_nn/dynamic_net.py"])
def test_only_example_matches_that_file_and_no_other(name):
    import re

    pattern = gg.only_example(name)
    assert re.search(pattern, "/src/examples_nn/dynamic_net.py")
    assert re.search(pattern, r"C:\\src\\examples_nn\\dynamic_net.py")
    for other in ("/src/examples_nn/not_dynamic_net.py", "/src/examples_nn/dynamic_net.py.md5",
                  "/src/examples_nn/dynamic_netx.py", "/src/examples_nn/dynamicAnet.py"):
        assert not re.search(pattern, other), other


# -- API links from cached inventories (api_links) ---------------------------------


def test_only_cached_inventories_are_used_and_the_rest_named_in_one_line(tmp_path, caplog):
    (tmp_path / "torch.inv").write_bytes(b"cached")
    config = SimpleNamespace(
        api_inventories="cache",
        api_docs={"torch": "https://torch.example/docs/",
                  "tf": ("https://tf.example/api", "https://elsewhere.example/tf.inv"),
                  "numpy": "https://numpy.example/"},
        intersphinx_mapping={"left": "over"},
    )
    (tmp_path / "cache").mkdir()
    (tmp_path / "torch.inv").rename(tmp_path / "cache" / "torch.inv")
    with caplog.at_level("INFO"):
        al.use_cached_inventories(SimpleNamespace(confdir=str(tmp_path)), config)
    assert config.intersphinx_mapping == {
        "torch": ("https://torch.example/docs/", str(tmp_path / "cache" / "torch.inv"))}
    messages = [r for r in caplog.records if "API links" in r.getMessage()]
    assert len(messages) == 1 and messages[0].levelname == "INFO"
    assert "tf, numpy in cache" in messages[0].getMessage()
    assert "make inventories" in messages[0].getMessage()


def test_an_inventory_address_defaults_to_objects_inv_under_the_docs():
    assert al.documentation_and_inventory("https://x.example/doc/") == (
        "https://x.example/doc/", "https://x.example/doc/objects.inv")
    assert al.documentation_and_inventory(("https://a/", "https://b/c.inv")) == ("https://a/", "https://b/c.inv")


# -- Notebook markdown (notebooks.plain_roles, dollar_math) ---------------------------


@pytest.mark.parametrize(("rst", "markdown"), [
    (":func:`torch.randn`", "``torch.randn``"),
    (":py:class:`torch.nn.Linear`", "``torch.nn.Linear``"),
    (":class:`nn.Linear <torch.nn.Linear>`", "``nn.Linear``"),
    (":meth:`~torch.Tensor.backward`", "``backward``"),
    (":ref:`the tutorial <tutorial-label>`", "the tutorial"),
    (":doc:`tutorial`", "tutorial"),
    (":math:`x^2`", ":math:`x^2`"),  # sphinx-gallery writes it as $x^2$
    ("plain ``code`` and *emphasis*", "plain ``code`` and *emphasis*"),
])
def test_roles_become_markdown_friendly_text(rst, markdown):
    assert nb.plain_roles(f"Before {rst} after.") == f"Before {markdown} after."


def test_math_blocks_become_double_dollars():
    text = "Intro.\n\n.. math::\n\n   y = x^2\n   z = 1\n\nAfter.\n"
    assert nb.dollar_math(text) == "Intro.\n\n$$\ny = x^2\nz = 1\n$$\n\nAfter.\n"
    assert nb.dollar_math(".. math:: a + b\n") == "$$\na + b\n$$\n\n"


def test_an_example_result_becomes_a_line_about_the_notebooks_own_cells():
    text = ("Intro, then the result:\n\n.. example-result::\n   :output: 1\n   :alt: A figure,\n"
            "         on two lines.\n\n- A finding.\n")
    assert nb.result_note(text) == f"Intro, then the result:\n\n{nb.RESULT_IN_NOTEBOOK}\n- A finding.\n"
    assert nb.result_note("No directive here.\n") == "No directive here.\n"


def test_sphinx_gallery_converts_text_through_our_rewriting(monkeypatch):
    import sphinx_gallery.notebook

    monkeypatch.setattr(sphinx_gallery.notebook, "rst2md", sphinx_gallery.notebook.rst2md)  # restored after
    nb.rewrite_notebook_text()
    conf = {"rst_link_targets": {}}
    markdown = sphinx_gallery.notebook.rst2md(
        "See :class:`torch.nn.Linear` and :math:`a^2`.\n\n.. math::\n\n   b = 1\n", conf, ".", {})
    assert "``torch.nn.Linear``" in markdown and "$a^2$" in markdown and "$$\nb = 1\n$$" in markdown


# -- Colab links and the site's address (notebooks, hosting) ---------------------------


def test_colab_address_comes_from_the_github_repository():
    config = SimpleNamespace(repository_url="https://github.com/owner/repo.name", deployed_branch="gh-pages")
    assert nb.colab_base(config) == "https://colab.research.google.com/github/owner/repo.name/blob/gh-pages/"
    config.repository_url = "https://github.com/owner/repo.git"
    assert nb.colab_base(config).startswith("https://colab.research.google.com/github/owner/repo/blob/")
    config.repository_url = ""
    assert nb.colab_base(config) == ""


@pytest.mark.parametrize("url", ["https://gitlab.com/owner/repo", "github.com/owner/repo",
                                 "https://github.com/owner", "https://github.com/owner/repo/tree/main"])
def test_a_repository_colab_cannot_open_stops_the_build(url):
    from sphinx.errors import ConfigError

    with pytest.raises(ConfigError, match="REPOSITORY_URL"):
        nb.colab_base(SimpleNamespace(repository_url=url, deployed_branch="gh-pages"))


@pytest.mark.parametrize("url", ["https://x.example/docs", "x.example/docs/", "ftp://x.example/"])
def test_a_site_address_must_be_absolute_and_end_in_a_slash(url):
    from sphinx.errors import ConfigError

    with pytest.raises(ConfigError, match="SITE_URL"):
        hosting.check_site_url(None, SimpleNamespace(site_url=url))
    hosting.check_site_url(None, SimpleNamespace(site_url="https://x.example/docs/"))
    hosting.check_site_url(None, SimpleNamespace(site_url=""))


def test_a_clean_build_guesses_the_longest_examples_first():
    # No recorded run yet: the order comes from what each example imports and its length.
    guess = {path.name: ep.guess_cost(path) for path in ROOT.glob("examples_*/*.py")}
    ranked = sorted(guess, key=guess.get, reverse=True)
    # The three that take longest here (all_nine_methods ~5 s, accelerator_speedup ~4.4 s,
    # tf_two_layer_net ~2 s against ~1 s for the others) start first.
    assert set(ranked[:3]) == {"all_nine_methods.py", "accelerator_speedup.py", "tf_two_layer_net.py"}
    assert ranked[0] == "all_nine_methods.py"
