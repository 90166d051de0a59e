"""Unit tests of gallery_runner.seam."""

from __future__ import annotations

import os
import sys

import pytest
from sphinx.errors import ExtensionError

from gallery_runner import seam


def test_script_output_is_read_from_sphinx_gallerys_own_format():
    def block(text):  # exactly what sphinx-gallery writes for a cell's output
        return seam.CODE_OUTPUT.format("\n".join("    " + line for line in text.splitlines()))

    rst = "\n".join(["Title", "=====", "", ".. code-block:: Python", "",
                     "    print('hi')", "", block("first\n\n  indented"), "", "Some text.",
                     "", block("second"), ""])
    assert "\n".join(block.text for block in seam.output_blocks(rst)) == "first\n\n  indented\nsecond"
    assert [block.text for block in seam.output_blocks(rst)] == ["first\n\n  indented", "second"]
    assert seam.output_blocks("no output at all\n") == []


def test_images_are_read_once_each_in_page_order():
    rst = (".. image-sg:: /auto_examples/x/images/sphx_glr_a_001.png\n   :alt: a\n\n"
           ".. image-sg:: /auto_examples/x/images/sphx_glr_a_002.png\n"
           ".. image-sg:: /auto_examples/x/images/sphx_glr_a_001.png\n")
    assert seam.read_images(rst) == [
        "/auto_examples/x/images/sphx_glr_a_001.png",
        "/auto_examples/x/images/sphx_glr_a_002.png",
    ]


def test_matplotlib_is_not_imported_at_configuration_time_only_set_to_agg(monkeypatch):
    eager = []
    monkeypatch.setattr(seam, "_eager_import", lambda: eager.append("imported"))
    monkeypatch.delenv("MPLBACKEND", raising=False)
    monkeypatch.delitem(sys.modules, "matplotlib", raising=False)
    seam._import_matplotlib_lazily()
    assert os.environ["MPLBACKEND"] == "agg"
    assert "matplotlib" not in sys.modules and not eager
    # Once matplotlib is imported, sphinx-gallery's own check runs as before.
    monkeypatch.setitem(sys.modules, "matplotlib", object())
    seam._import_matplotlib_lazily()
    assert eager == ["imported"]


def test_sphinx_gallery_converts_text_through_our_rewriting(monkeypatch):
    import sphinx_gallery.notebook

    monkeypatch.setattr(sphinx_gallery.notebook, "rst2md", sphinx_gallery.notebook.rst2md)  # restored after
    seam.convert_notebook_text_with(lambda text: text.replace("Linear", "Conv2d"))
    conf = {"rst_link_targets": {}}
    markdown = sphinx_gallery.notebook.rst2md("See ``torch.nn.Linear``.\n", conf, ".", {})
    assert "``torch.nn.Conv2d``" in markdown


@pytest.mark.parametrize("version", ["0.21.0", "0.23.0", "1.0"])
def test_a_sphinx_gallery_outside_the_supported_range_stops_the_build(version):
    with pytest.raises(ExtensionError, match=r"sphinx-gallery .* relies on internals of sphinx-gallery >=0\.22,<0\.23"):
        seam.check_version(version)
    seam.check_version("0.22.1")
    seam.check_version()  # the installed one


def test_only_the_seam_imports_sphinx_gallery_internals():
    """Elsewhere in the package, sphinx_gallery appears only as the extension's name."""
    from pathlib import Path

    package = Path(seam.__file__).parent
    for module in sorted(package.glob("*.py")):
        if module.name == "seam.py":
            continue
        text = module.read_text(encoding="utf-8")
        assert "import sphinx_gallery" not in text and "from sphinx_gallery" not in text, module.name


def test_figures_are_read_with_their_alt_text():
    rst = (".. image-sg:: /auto_examples/x/images/sphx_glr_a_001.png\n   :alt: A line falls.\n"
           "   :srcset: /auto_examples/x/images/sphx_glr_a_001.png\n   :class: sphx-glr-single-img\n\n"
           ".. image-sg:: /auto_examples/x/images/sphx_glr_a_002.png\n   :srcset: x\n   :alt: Another.\n")
    assert seam.read_figures(rst) == [
        ("/auto_examples/x/images/sphx_glr_a_001.png", "A line falls."),
        ("/auto_examples/x/images/sphx_glr_a_002.png", "Another."),
    ]


def test_sphinx_build_calls_the_crash_handler_the_seam_puts_in_its_place(monkeypatch):
    import sphinx._cli.util.errors as sphinx_errors
    import sphinx.cmd.build

    monkeypatch.setattr(sphinx_errors, "handle_exception", sphinx_errors.handle_exception)
    seen = []
    original = getattr(sphinx_errors.handle_exception, "_sphinx_original", sphinx_errors.handle_exception)
    assert seam.handle_crashes_with(lambda exc, crash_report, **kwargs: seen.append((exc, crash_report)))
    error = RuntimeError("x")
    sphinx_errors.handle_exception(error, stderr=None)
    assert seen == [(error, original)]
    source = open(sphinx.cmd.build.__file__, encoding="utf-8").read()
    assert "sphinx._cli.util.errors.handle_exception(" in source  # looked up when called, so replaceable
    # Outside the Sphinx versions it was written for, nothing is replaced.
    monkeypatch.setattr(seam.sphinx, "__version__", "11.0")
    assert not seam.handle_crashes_with(lambda exc, crash_report, **kwargs: None)


def test_what_stands_in_for_sphinx_gallerys_functions_keeps_their_name_and_documentation(monkeypatch):
    """A site that documents sphinx-gallery's API (as tinybuild does) still documents sphinx-gallery's."""
    import inspect

    import sphinx_gallery.gen_rst
    import sphinx_gallery.notebook

    monkeypatch.setattr(sphinx_gallery.gen_rst, "generate_file_rst", sphinx_gallery.gen_rst.generate_file_rst)
    monkeypatch.setattr(sphinx_gallery.notebook, "rst2md", sphinx_gallery.notebook.rst2md)
    seam.run_examples_with(lambda *args: ("stand-in", args))
    seam.convert_notebook_text_with(lambda text: text)
    for replaced, original in [(sphinx_gallery.gen_rst.generate_file_rst, seam.generate_file_rst),
                               (sphinx_gallery.notebook.rst2md, seam._rst2md)]:
        assert replaced is not original
        assert (replaced.__name__, replaced.__module__, replaced.__doc__) == \
            (original.__name__, original.__module__, original.__doc__)
        assert inspect.signature(replaced) == inspect.signature(original)
    assert sphinx_gallery.gen_rst.generate_file_rst("a.py", "t", "s", {}) == ("stand-in", ("a.py", "t", "s", {}))
