"""Unit tests of tutorial_site.translations."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from docutils import nodes
from sphinx import addnodes
from sphinx.errors import ConfigError

from tutorial_site import translations

ZH = {"zh_CN": "简体中文"}


def config(language="en", **settings):
    defaults = {"language": language, "translations": ZH, "site_url": "https://x.example/lp/",
                "html_baseurl": "https://x.example/lp/", "notfound_urls_prefix": "/lp/", "notfound_pagename": "404"}
    return SimpleNamespace(**{**defaults, **settings})


def test_languages_prefixes_and_tags():
    assert translations.languages(config()) == ["en", "zh_CN"]
    assert [translations.language_prefix(code) for code in ("en", "zh_CN")] == ["", "zh_CN/"]
    assert translations.hreflang("zh_CN") == "zh-CN"
    assert translations.is_translation(config("zh_CN")) and not translations.is_translation(config())


def test_a_translation_publishes_under_its_language():
    english, chinese = config(), config("zh_CN")
    for c in (english, chinese):
        translations.publish_under_language(None, c)
    assert (english.html_baseurl, english.notfound_urls_prefix) == ("https://x.example/lp/", "/lp/")
    assert (chinese.html_baseurl, chinese.notfound_urls_prefix) == ("https://x.example/lp/zh_CN/", "/lp/zh_CN/")


def test_a_language_without_a_translation_stops_the_build_naming_conf_py():
    with pytest.raises(ConfigError, match=r"'fr' is not one of the site's translations \(zh_CN\).*conf.py"):
        translations.check_language(None, config("fr"))
    translations.check_language(None, config("zh_CN"))


def links(language: str, pagename: str, site_url="https://x.example/lp/") -> dict:
    app = SimpleNamespace(config=config(language, site_url=site_url),
                          builder=SimpleNamespace(get_target_uri=lambda name: f"{name}.html"))
    context = {}
    translations.add_language_links(app, pagename, "page.html", context, None)
    return {link["code"]: link for link in context["language_links"]}


def test_each_page_links_to_itself_in_every_language():
    english = links("en", "auto_examples/nn/dynamic_net")
    assert english["en"]["current"] and not english["zh_CN"]["current"]
    assert english["zh_CN"]["href"] == "../../zh_CN/auto_examples/nn/dynamic_net.html"
    assert english["zh_CN"]["url"] == "https://x.example/lp/zh_CN/auto_examples/nn/dynamic_net.html"
    chinese = links("zh_CN", "tutorial")
    assert chinese["en"]["href"] == "../tutorial.html" and chinese["zh_CN"]["name"] == "简体中文"
    assert chinese["zh_CN"]["hreflang"] == "zh-CN"


def test_the_404_page_links_from_the_site_path_and_a_local_build_relatively():
    assert links("zh_CN", "404")["en"]["href"] == "/lp/404.html"
    assert links("en", "404", site_url="")["zh_CN"]["href"] == "/zh_CN/404.html"
    assert links("en", "index", site_url="")["zh_CN"]["url"] == "zh_CN/index.html"


def test_a_toctree_caption_counts_as_translated_once_it_changed():
    toctree = addnodes.toctree(caption="教程", rawcaption="Tutorial")
    assert translations.translated(toctree, "Tutorial")
    assert not translations.translated(addnodes.toctree(caption="Tutorial", rawcaption="Tutorial"), "Tutorial")
    assert translations.translated(nodes.paragraph(translated=True), "x")
    assert not translations.translated(nodes.paragraph(), "x")


def test_a_tooltip_matches_its_message_without_markup():
    message = "The :mod:`torch.nn` package supplies ``Module`` objects, *roughly* layers, and **losses**."
    assert translations._plain(message) == "The torch.nn package supplies Module objects, roughly layers, and losses."
    assert translations._plain(":class:`nn.Linear <torch.nn.Linear>` owns it") == "nn.Linear owns it"


def test_own_words_are_english_without_a_catalog():
    assert translations._("Open in Colab") == "Open in Colab"
    assert isinstance(translations._("Open in Colab"), str)


def test_the_chinese_search_names_the_stemmer_its_page_defines():
    import sphinx

    mended = translations.chinese_search()
    assert mended.lang == "zh" and mended.js_stemmer_rawcode == "english-stemmer.js"
    if sphinx.version_info < (9, 1):
        assert mended.language_name == "English"  # window.Stemmer = EnglishStemmer;


def test_the_chinese_search_loads_only_a_dictionary_it_is_given_and_splits_chinese_words(monkeypatch, tmp_path):
    import sphinx.search.zh

    loaded = []
    monkeypatch.setattr(sphinx.search.zh, "jieba_load_userdict", loaded.append)
    search = translations.chinese_search()({})
    assert loaded == []  # not jieba's own dictionary a second time
    words = search.split("反向传播算出每个张量的梯度")
    assert {"张量", "梯度"} <= set(words), words
    own = tmp_path / "words.txt"
    own.write_text("自动求导 10\n", encoding="utf-8")
    translations.chinese_search()({"dict": str(own)})
    assert loaded == [str(own)]


def test_pinyin_key_orders_chinese_words_by_syllable_letters_then_tone():
    from tutorial_site.translations import pinyin_key

    words = ["张量（tensor）", "自动求导（autograd）", "动态图", "计算图", "加速器", "ReLU（线性整流单元）", "梯度", "学习率"]
    assert sorted(words, key=pinyin_key) == ["动态图", "计算图", "加速器", "ReLU（线性整流单元）", "梯度", "学习率",
                                             "张量（tensor）", "自动求导（autograd）"]
    assert pinyin_key("计算图") < pinyin_key("加速器")  # ji before jia, though 计 (U+8BA1) comes after 加 (U+52A0)
    assert pinyin_key("妈") < pinyin_key("马") < pinyin_key("骂")  # mā, mǎ, mà: by tone


def test_a_path_beside_chinese_text_gets_a_space_on_the_side_that_touches_it():
    assert translations._spaced("是{where}中 {count} 个文件", "{where}", "auto_examples/nn") == " auto_examples/nn "
    assert translations._spaced("files from {where}:", "{where}", "auto_examples/nn") == "auto_examples/nn"
    assert translations._spaced("{where}：", "{where}", "a") == "a"
