"""Unit tests of tutorial_site.catalogs: a broken catalog is named, line by line, before a build reads it."""

from __future__ import annotations

from tutorial_site import catalogs

HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'


def problems(tmp_path, body: str) -> list[tuple[int, str]]:
    path = tmp_path / "site.po"
    path.write_text(HEADER + body, encoding="utf-8")
    return catalogs.catalog_problems(path)


def test_a_sound_catalog_has_no_problem(tmp_path):
    assert problems(tmp_path, 'msgid "The ``loss`` of {name}: see `it <https://a.org>`_."\n'
                              'msgstr "{name} 的 ``loss``：见 `it <https://a.org>`_。"\n') == []


def test_an_unclosed_string_is_named_by_its_line(tmp_path):
    found = problems(tmp_path, 'msgid "One."\nmsgstr "一。\n\nmsgid "Two."\nmsgstr "二。"\n')
    assert found == [(6, "a string that is not closed: end it with a double quote")]


def test_a_fuzzy_translation_is_named(tmp_path):
    ((line, what),) = problems(tmp_path, '#, fuzzy\nmsgid "One."\nmsgstr "一。"\n')
    assert line == 6 and "fuzzy" in what and "#, fuzzy" in what


def test_changed_literals_links_placeholders_or_roles_are_named(tmp_path):
    body = ('msgid "Use ``lr``."\nmsgstr "使用 ``学习率``。"\n\n'
            'msgid "See `docs <https://a.org>`_."\nmsgstr "见 `文档 <https://b.org>`_。"\n\n'
            'msgid "At {step}."\nmsgstr "在 {stap}。"\n\n'
            'msgid "A :term:`loss`."\nmsgstr "一个损失。"\n')
    found = problems(tmp_path, body)
    assert [line for line, _ in found] == [5, 8, 11, 14]
    assert "inline literals differ" in found[0][1] and "``lr``" in found[0][1]
    assert "links differ" in found[1][1] and "placeholders differ" in found[2][1]
    assert "0 roles" in found[3][1] and "English has 1" in found[3][1]
