"""gallery_runner.sources: what sphinx-gallery cannot build is named before it reads it."""

from __future__ import annotations

from pathlib import Path

from gallery_runner import sources
from gallery_runner.examples import Gallery

CONF = {"copyfile_regex": "", "source_suffix": {".rst": "restructuredtext"}}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_an_example_without_docstring_without_title_or_not_utf8_is_named(tmp_path):
    assert sources.problem_with_example(write(tmp_path / "ok.py", '"""\nTitle\n=====\n\nIt works.\n"""\n')) is None
    none = sources.problem_with_example(write(tmp_path / "none.py", "print(1)\n"))
    assert "none.py does not begin with a docstring: an example begins with a docstring" in none
    assert "The example's title\n    ===================" in none
    empty = sources.problem_with_example(write(tmp_path / "empty.py", '"""\n"""\n'))
    assert "empty.py has a docstring without a title" in empty
    latin = tmp_path / "latin.py"
    latin.write_bytes(b'"""\nCaf\xe9\n====\n"""\n')
    assert "latin.py is not UTF-8 text (at byte 8): save it as UTF-8." in sources.problem_with_example(latin)
    # A syntax error is not this module's: the example fails when it runs, naming the line.
    assert sources.problem_with_example(write(tmp_path / "syntax.py", '"""\nT\n=\n"""\ndef f(:\n')) is None


def test_a_gallery_needs_its_folder_and_its_header(tmp_path):
    folder = tmp_path / "examples_x"
    gallery = Gallery(folder, tmp_path / "gen", "auto_examples/x")
    assert "is not a folder. Create it, or remove it" in sources.problem_with_gallery(gallery, CONF)
    folder.mkdir()
    problem = sources.problem_with_gallery(gallery, CONF)
    assert "examples_x has no GALLERY_HEADER.rst, the page that introduces its gallery: write" in problem
    write(folder / "GALLERY_HEADER.rst", "X\n=\n\nExamples.\n")
    assert sources.problem_with_gallery(gallery, CONF) is None
