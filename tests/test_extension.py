"""The Sphinx extensions in docs/_ext, piece by piece."""

from __future__ import annotations

import os
import signal
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
import gallery_guard as gg  # noqa: E402
import hosting  # noqa: E402
import notebooks as nb  # noqa: E402
import parallel_examples as pe  # noqa: E402
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


def run_as(filename: str, source: str, namespace: dict) -> None:
    exec(compile(source, filename, "exec"), namespace)


def test_time_limit_stops_the_example_and_names_it():
    limit = gg.ExampleTimeLimit(0.2)
    limit({}, "slow_example.py", "before")
    start = time.monotonic()
    try:
        with pytest.raises(gg.ExampleTimeout, match=r"slow_example\.py was stopped after 0\.2 s"):
            run_as("/somewhere/slow_example.py", "while True:\n    pass\n", {})
    finally:
        limit({}, "slow_example.py", "after")
    assert 0.2 <= time.monotonic() - start < 5
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_time_limit_waits_for_the_example_itself_and_for_imports_to_finish(tmp_path, monkeypatch):
    (tmp_path / "slow_import.py").write_text("import time\ntime.sleep(0.3)\nCOMPLETE = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "slow_import", raising=False)
    limit = gg.ExampleTimeLimit(0.1)
    limit({}, "slow_example.py", "before")
    try:
        # Code that is not the example's is not interrupted...
        run_as("<other code>", "import time\ntime.sleep(0.3)\n", {})
        assert signal.getitimer(signal.ITIMER_REAL)[0] > 0  # ...the timer waits
        # ...nor is an import the example makes; the next line of it is.
        with pytest.raises(gg.ExampleTimeout):
            run_as("slow_example.py", "import slow_import\nimport time\ntime.sleep(5)\n", {})
    finally:
        limit({}, "slow_example.py", "after")
    assert sys.modules["slow_import"].COMPLETE


def test_time_limit_of_zero_is_no_limit():
    gg.ExampleTimeLimit(0)({}, "slow_example.py", "before")
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


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


# -- parallel_examples --------------------------------------------------------------


def test_examples_to_run_skips_up_to_date_ones_and_puts_the_longest_first(tmp_path):
    from sphinx_gallery.gen_gallery import DEFAULT_GALLERY_CONF
    from sphinx_gallery.utils import get_md5sum

    examples, generated = tmp_path / "examples", tmp_path / "docs" / "generated"
    examples.mkdir()
    generated.mkdir(parents=True)
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
    (generated / "unchanged.py.md5").write_text(get_md5sum(examples / "unchanged.py", mode="t"))

    conf = dict(DEFAULT_GALLERY_CONF, examples_dirs=["../examples"], gallery_dirs=["generated"],
                filename_pattern=r"\.py$", plot_gallery=True, source_suffix={".rst": "rst"})
    app = SimpleNamespace(config=SimpleNamespace(sphinx_gallery_conf=conf), srcdir=tmp_path / "docs")
    order = [fname for fname, _, _ in pe.examples_to_run(app)]
    assert order == ["measured.py", "uses_tf.py", "uses_torch.py", "plain.py"]


def test_thread_pools_are_sized_unless_the_environment_says_otherwise(monkeypatch):
    for name in pe.THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    pe.limit_threads(None, SimpleNamespace(example_threads=1))
    assert os.environ["OMP_NUM_THREADS"] == "3"
    assert all(os.environ[name] == "1" for name in pe.THREAD_VARIABLES[1:])


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
