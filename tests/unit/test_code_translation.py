"""Unit tests of code_translation: an example's prose in another language, its program untouched."""

from __future__ import annotations

import io
import zipfile

from helpers import program_tokens
from tutorial_site import code_translation as ct

SOURCE = '''"""
A title
=======

The first paragraph, on
two lines.
"""

import math

# %%
# A section
# ---------
# Its text, which runs on
# into a second line.
#
# * one item, which also runs
#   on;
# * another item.

N = 3  # how many
# A comment on two lines
# of the code.
for step in range(N):
    print(f"step {step}: {math.sqrt(step):.3f}")  # the string stays


def square(x):
    """x times x."""
    return x * x  # noqa: E501
'''

TEXT = {
    "A title": "标题",
    "The first paragraph, on two lines.": "第一段。",
    "A section": "一节",
    "Its text, which runs on into a second line.": "它的文字。",
    "one item, which also runs on;": "一项；",
    "another item.": "另一项。",
}
CODE = {"how many": "多少个", "the string stays": "字符串不变", "A comment on two lines of the code.": "代码上的两行注释。", "x times x.": "x 乘 x。"}


class Table:
    def __init__(self, table):
        self.table, self.missing = table, []

    def __call__(self, message):
        if message not in self.table:
            self.missing.append(message)
        return self.table.get(message, message)


def test_the_prose_is_translated_and_the_program_is_the_same():
    text, code = Table(TEXT), Table(CODE)
    translated = ct.translate_source(SOURCE, code, text)
    assert not text.missing and not code.missing
    assert translated.startswith('"""\n标题\n====\n\n第一段。\n"""\n')  # the underline as wide as the title
    assert "# 一节\n# ----\n# 它的文字。\n#\n# * 一项；\n# * 另一项。\n" in translated
    assert "N = 3  # 多少个\n# 代码上的两行注释。\nfor step" in translated
    assert '"""x 乘 x。"""' in translated and "# noqa: E501" in translated
    assert 'print(f"step {step}: {math.sqrt(step):.3f}")  # 字符串不变' in translated  # printed text is the program
    assert program_tokens(translated) == program_tokens(SOURCE)
    exec(compile(translated, "translated.py", "exec"), {})  # still a program


def test_a_code_cell_alone_has_its_comments_translated_and_no_text_cells():
    cell = 'x = 1  # how many\n"""Not a docstring of anything here."""\n'
    assert ct.translate_source(cell, Table(CODE)) == 'x = 1  # 多少个\n"""Not a docstring of anything here."""\n'


def test_messages_are_the_comments_runs_trailing_comments_and_docstrings_not_instructions():
    comments = ct.code_comments(SOURCE, skip={i for a, b in ct.text_cells(SOURCE.split("\n")) for i in range(a, b)})
    assert [(c.kind, c.text) for c in comments] == [
        ("trailing", "how many"), ("comment", "A comment on two lines of the code."),
        ("trailing", "the string stays"), ("docstring", "x times x.")]


def test_a_long_chinese_comment_is_wrapped_between_characters_never_before_punctuation():
    lines = ct.wrap("先在 CPU 上用一个设了种子的生成器抽取，再搬过去：每种设备拿到的数完全相同。", 30)
    assert all(ct.width(line) <= 30 for line in lines) and len(lines) > 1
    assert "".join(lines).replace(" ", "") == "先在CPU上用一个设了种子的生成器抽取，再搬过去：每种设备拿到的数完全相同。"
    assert not any(line[0] in "，。：；" for line in lines)
    assert ct.wrap("plain English words stay whole", 12) == ["plain", "English", "words stay", "whole"]


def test_a_zip_is_rewritten_with_the_same_members_translated_where_there_is_a_translation(tmp_path):
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("requirements.txt", "torch\n")
        zf.writestr("folder/example.py", "# English\n")
    data = ct._translated_zip(archive, {"example.py": b"# \xe4\xb8\xad\n"})
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.namelist() == ["requirements.txt", "folder/example.py"]
        assert zf.read("requirements.txt") == b"torch\n" and zf.read("folder/example.py").decode() == "# 中\n"
    assert ct._translated_zip(archive, {"example.py": b"# \xe4\xb8\xad\n"}) == data  # reproducible bytes


def test_figure_texts_are_the_words_drawn_not_matplotlibs_names_for_unlabelled_lines():
    summary = {"suptitle": "", "axes": [{"title": "T", "x": "step", "y": "loss", "log": True, "lines": [
        {"label": "_child0", "start": [0, 1.0], "end": [9, 0.5]},
        {"label": "numpy, CPU", "start": ["64 x 100", 1.0], "end": ["4096 x 2048", 2.0]}]}]}
    assert ct.figure_texts(summary) == ["T", "step", "loss", "numpy, CPU", "64 x 100", "4096 x 2048"]


def test_a_translated_file_lives_in_a_folder_named_after_the_language(tmp_path):
    assert ct.translated_copy(tmp_path / "nn" / "a.ipynb", "zh_CN") == tmp_path / "nn" / "zh_CN" / "a.ipynb"


def test_a_translated_docstring_keeps_rests_escaped_spaces_without_a_python_warning():
    import ast
    import warnings

    source = '"""\nTitle\n=====\n\nSome *stress* here.\n"""\n\n\ndef f():\n    """Some *stress*."""\n'
    text = Table({"Title": "标题", "Some *stress* here.": "这里\\ *强调*\\ 一下。"})
    translated = ct.translate_source(source, Table({"Some *stress*.": "一些\\ *强调*\\ 。"}), text)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Python 3.12 warns of '\ ' in a string at every run
        tree = ast.parse(translated)
    assert "这里\\ *强调*\\ 一下。" in ast.get_docstring(tree)
    assert ast.get_docstring(tree.body[1]) == "一些\\ *强调*\\ 。"


def test_a_raw_or_single_quoted_docstring_keeps_its_kind_of_literal():
    source = 'def f():\n    r"""Raw \\d here."""\n\n\ndef g():\n    \'\'\'Single quotes.\'\'\'\n'
    translated = ct.translate_source(source, Table({"Raw \\d here.": "原样的 \\d。", "Single quotes.": "单引号。"}))
    assert '    r"""原样的 \\d。"""\n' in translated and "    '''单引号。'''\n" in translated
    assert program_tokens(translated) == program_tokens(source)
