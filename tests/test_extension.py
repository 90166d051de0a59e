"""The tutorial_gallery Sphinx extension (docs/_ext), piece by piece."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

from sphinx_gallery.gen_rst import CODE_OUTPUT

from conftest import ROOT, TUTORIAL

sys.path.insert(0, str(ROOT / "docs" / "_ext"))
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

    assert conf.EXAMPLE_ORDER.filenames == tuple(f for _, f, _ in TUTORIAL)
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
