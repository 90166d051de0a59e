"""The site in Chinese: complete catalogs, one execution, the same lesson, a switcher on every page.

``make html`` builds English into _build/html/ and then each translation
(Makefile: LANGUAGES) into _build/html/<language>/, from the same executed
examples. The browser test of the switcher on every page is in
test_accessibility.py (one pass of Chromium audits every page in every
language and walks the switcher), that of Chinese search in test_browser.py.
"""

from __future__ import annotations

import ast
import io
import json
import re
import shutil
import subprocess
import sys
import tokenize
import unicodedata
import warnings
import zipfile

import pytest
from babel.messages.pofile import read_po
from tutorial_site.translations import FULL_WIDTH

from helpers import (EXAMPLES, GALLERY, LANGUAGES, ROOT, SITE_PATH, SITE_URL, TUTORIAL, broken_links, build_site, code_text,
                     copy_project, docstring_starts, program_tokens, sitemap)

LOCALES = ROOT / "docs" / "locales"
CATALOGS = sorted(LOCALES.glob("*/LC_MESSAGES/*.po"))
ZH = "zh_CN"


# -- The catalogs ------------------------------------------------------------------------------


def test_every_language_built_has_catalogs_and_a_name_in_the_switcher():
    conf = (ROOT / "conf.py").read_text(encoding="utf-8")
    named = ast.literal_eval(re.search(r"^translations = (\{.*\})$", conf, re.M)[1])
    assert sorted(named) == sorted(LANGUAGES)  # the Makefile builds what conf.py names
    for language in LANGUAGES:
        assert {p.name for p in (LOCALES / language / "LC_MESSAGES").glob("*.po")} == {"site.po", "tutorial_site.po", "examples.po"}


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: f"{p.parts[-3]}/{p.name}")
def test_every_message_of_the_catalogs_is_translated_and_none_is_fuzzy(catalog):
    messages = [m for m in read_po(catalog.open("rb")) if m.id]
    assert len(messages) > 15
    untranslated = [m.id for m in messages if not m.string]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert not untranslated, f"{len(untranslated)} untranslated in {catalog.name}, the first: {untranslated[0]!r}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy (changed in English) in {catalog.name}, the first: {fuzzy[0]!r}"


# reST inline markup needs a space or punctuation next to it; Chinese has no spaces.
_MARKUP = re.compile(r"(?::[a-z]+:)?``[^`]+``|(?::[a-z]+:)?`[^`]+`_{0,2}|\*\*[^*]+\*\*")


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: f"{p.parts[-3]}/{p.name}")
def test_translations_keep_the_code_links_and_placeholders_of_the_english(catalog):
    for message in read_po(catalog.open("rb")):
        if not message.id or not message.string:
            continue
        english, translated = message.id, message.string
        assert sorted(re.findall(r"``[^`]+``", english)) == sorted(re.findall(r"``[^`]+``", translated)), english
        assert len(re.findall(r":[a-z]+:`", english)) == len(re.findall(r":[a-z]+:`", translated)), english
        assert sorted(re.findall(r"\{\w+\}", english)) == sorted(re.findall(r"\{\w+\}", translated)), english
        for markup in _MARKUP.finditer(translated):
            before = translated[markup.start() - 1] if markup.start() else " "
            after = translated[markup.end()] if markup.end() < len(translated) else " "
            # A Chinese character right beside reST markup turns the markup into plain text, and so does an
            # opening bracket or quote right after it, or a closing one right before it (（ after ``x``: the
            # literal runs on to the next ``).
            assert not (_is_han(before) or _is_han(after)), f"add a space around {markup[0]!r} in {translated!r}"
            assert unicodedata.category(after) not in ("Ps", "Pi"), f"write \\ after {markup[0]!r} in {translated!r}"
            assert unicodedata.category(before) not in ("Pe", "Pf"), f"write \\ before {markup[0]!r} in {translated!r}"


def _is_han(character: str) -> bool:
    return "\u4e00" <= character <= "\u9fff"


# -- The build ---------------------------------------------------------------------------------


def test_the_translation_reuses_the_examples_run_by_the_english_build(site):
    english, chinese = site.log.split(f"html/{ZH}", 1)[0], site.log.split("The HTML pages are in", 1)[1]
    assert len(re.findall(r"^ran \d+ examples in", site.log, re.M)) == 1  # one execution, in the English build
    assert re.search(r"^ran \d+ examples in", english, re.M)
    assert "running" not in chinese and "executing" not in chinese
    # Its pages show the very figures the English build drew, and offer the same downloads by name
    # (the examples' scripts, notebooks and zips in Chinese: test_the_chinese_downloads_...).
    zh = site.translation(ZH)
    english_files = {p.relative_to(site.html / "_images"): p.read_bytes() for p in (site.html / "_images").rglob("*.*")}
    chinese_files = {p.relative_to(zh.html / "_images"): p.read_bytes() for p in (zh.html / "_images").rglob("*.*")}
    assert chinese_files == english_files

    def downloads(html):
        return sorted(p.name for p in (html / "_downloads").rglob("*.*"))

    assert downloads(zh.html) == downloads(site.html)


def test_the_chinese_build_indexes_its_words_without_jiebas_debug_lines(site):
    # jieba, which splits Chinese text into words, logs loading its dictionary
    # at DEBUG level to stderr unless told not to.
    assert "Prefix dict" not in site.log and "jieba" not in site.log


def test_the_chinese_tutorial_has_the_nine_sections_in_order_with_the_same_code_output_and_plots(site):
    english, chinese = site.soup("tutorial.html"), site.translation(ZH).soup("tutorial.html")
    assert chinese.html["lang"] == "zh-CN" and english.html["lang"] == "en"
    assert chinese.title.get_text().startswith("通过一个小网络学习 PyTorch")

    def sections(soup):
        return [(section["id"], [program_tokens(pre.get_text()) for pre in section.select("div.highlight-python pre")],
                 code_text(section, ".tutorial-output pre, .sphx-glr-script-out pre"),
                 [img["src"] for img in section.select("img")])
                for section in soup.select("[role=main] section section section") if section.select(".tutorial-example")]

    english_sections, chinese_sections = sections(english), sections(chinese)
    assert len(chinese_sections) == len(TUTORIAL) == 9
    # Same anchors (the ids come from the English titles), same program and output, same figures.
    assert chinese_sections == english_sections
    assert all(code for _, code, _, _ in chinese_sections)
    headings = [section.find(["h3"]).get_text() for section in chinese.select("[role=main] section section section")
                if section.select(".tutorial-example")]
    assert headings[0].startswith("热身：numpy") and headings[-1].startswith("PyTorch：控制流与权重共享")
    assert "它运行时打印的内容：" in chinese.get_text()  # the extension's own words, translated
    assert "What it printed" not in chinese.get_text()


def test_every_chinese_page_is_chinese_and_links_nowhere_missing(site):
    zh = site.translation(ZH)
    pages = zh.pages()
    assert len(pages) == len(site.pages())
    for page in pages:
        soup = zh.soup(page.relative_to(zh.html))
        assert soup.html["lang"] == "zh-CN", page
        text = soup.select_one("div[role=main]").get_text()
        assert re.search(r"[\u4e00-\u9fff]", text), f"{page.name} has no Chinese"
    assert not [b for b in broken_links(site.html) if b.startswith(f"{ZH}/")]


@pytest.mark.parametrize("language", ["en", ZH])
def test_every_page_links_to_itself_in_every_language(site, language):
    built = site if language == "en" else site.translation(language)
    prefix = {"en": "", ZH: f"{ZH}/"}
    for page in built.pages():
        name = page.relative_to(built.html).as_posix()
        soup = built.soup(name)
        alternates = {link["hreflang"]: link["href"] for link in soup.select("link[rel=alternate][hreflang]")}
        assert alternates == {"en": SITE_URL + name, "zh-CN": SITE_URL + f"{ZH}/" + name, "x-default": SITE_URL + name}
        switcher = soup.select_one("nav.language-switcher")
        links = {a["hreflang"]: a["href"] for a in switcher.select("a[hreflang]")}
        current = switcher.select_one("[aria-current=page]")
        assert current.get_text() == {"en": "English", ZH: "简体中文"}[language]
        (other,) = [code for code in ("en", ZH) if code != language]
        href = links[other.replace("_", "-")]
        if name == "404.html":  # shown at any address: it links from the site's path
            assert href == SITE_PATH + prefix[other] + name
        else:
            target = (page.parent / href).resolve()
            assert target == (site.html / prefix[other] / name).resolve() and target.is_file(), (name, href)


def test_the_sitemap_lists_every_page_in_both_languages_with_its_translation(site):
    listed = sitemap(site.html)
    english = [SITE_URL + p.relative_to(site.html).as_posix() for p in site.pages()]
    english = [url for url in english if not url.endswith(("404.html", "search.html", "genindex.html"))]
    assert sorted(listed) == sorted(english + [url.replace(SITE_URL, SITE_URL + f"{ZH}/") for url in english])
    xml = (site.html / "sitemap.xml").read_text(encoding="utf-8")
    assert xml.count('hreflang="zh-CN"') == len(listed)
    assert not (site.translation(ZH).html / "sitemap.xml").exists()


def test_each_language_has_its_own_404_page(site):
    soup = site.translation(ZH).soup("404.html")
    assert soup.html["lang"] == "zh-CN"
    assert soup.select_one("h1").get_text().startswith("找不到页面")
    urls = [e.get("href") or e.get("src") for e in soup.find_all(["link", "script", "img"])]
    local = [u for u in urls if u and u.startswith("/")]
    assert local and all(u.startswith(SITE_PATH + f"{ZH}/") for u in local if "_static" in u)


# -- Keeping the translation complete ----------------------------------------------------------


def test_a_changed_english_sentence_fails_the_translation_build_until_it_is_translated(built_project):
    tutorial = built_project / "docs" / "tutorial.rst"
    tutorial.write_text(tutorial.read_text(encoding="utf-8").replace(
        "PyTorch offers two things at its core:", "At its core, PyTorch offers two things:"), encoding="utf-8")
    # And a new comment in an example's code: it would show in English on the Chinese page and in its downloads.
    example = built_project / "examples_nn" / "two_layer_net_optim.py"
    example.write_text(example.read_text(encoding="utf-8").replace(
        "losses = []\n", "losses = []  # one value per step\n", 1), encoding="utf-8")
    result = build_site(built_project, languages=LANGUAGES)
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert re.search(r"tutorial\.rst: WARNING: 1 message\(s\) of this page have no zh_CN translation, "
                     r"the first: 'At its core, PyTorch offers two things:'\. Run `make translations`", log), log[-3000:]
    assert re.search(r"WARNING: 1 message\(s\) of examples_nn/two_layer_net_optim\.py have no zh_CN translation, "
                     r"the first: 'one value per step'\. Run `make translations` and translate them in "
                     r"locales/zh_CN/LC_MESSAGES/examples\.po", log), log[-3000:]
    assert re.search(r"two_layer_net_optim\.rst: WARNING: 1 message\(s\) of this page's code have no zh_CN", log)


@pytest.mark.slow  # a gettext build
def test_make_translations_adds_a_new_english_sentence_to_the_catalogs_untranslated(tmp_path):
    # A bare copy: extracting the messages needs no executed examples.
    (tmp_path / "project").mkdir()
    project = copy_project(tmp_path / "project")
    for name in ("Makefile", "tools"):
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy2)(ROOT / name, project / name)
    glossary = project / "docs" / "glossary.rst"
    glossary.write_text(glossary.read_text(encoding="utf-8") + "\n   epoch\n      One pass over the data.\n",
                        encoding="utf-8")
    result = subprocess.run(["make", "-s", "translations", f"VIRTUAL_ENV={sys.prefix}", "SPHINXOPTS=-D plot_gallery=0"],
                            cwd=project, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    catalog = {m.id: m for m in read_po((project / "docs/locales/zh_CN/LC_MESSAGES/site.po").open("rb")) if m.id}
    assert catalog["One pass over the data."].string == ""
    assert catalog["tensor"].string == "张量（tensor）"  # what was translated stays


# -- The code and the downloads in Chinese -----------------------------------------------------


def _prose_of_code(source: str) -> list[str]:
    """The comments and docstrings written for the reader, a run of comment lines as one text.

    Not ``# %%`` markers, title underlines, directives and their options, or blank comment lines.
    """
    docstrings = docstring_starts(ast.parse(source))
    found, last_row = [], -2
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            text = token.string.lstrip("#").strip()
            if not text or text.startswith(("%%", "..", ":")) or re.fullmatch(r"[-=~^]+", text):
                last_row = -2
                continue
            if token.start[0] == last_row + 1 and found:
                found[-1] += " " + text
            else:
                found.append(text)
            last_row = token.start[0]
        elif token.type == tokenize.STRING and token.start in docstrings:
            found += [line for line in ast.literal_eval(token.string).splitlines()
                      if line.strip() and not re.fullmatch(r"[-=~^]+", line.strip()) and not line.startswith((".. ", "   :"))]
    return found


def _translated(text: str) -> bool:
    """Chinese, or nothing but names that stay as they are ("PyTorch：nn")."""
    return _is_han_text(text) or {w.lower() for w in re.findall(r"[A-Za-z]{2,}", text)} <= _NAMES


def _code_cells(book: dict) -> list[str]:
    """A notebook's code cells without IPython's magics (``%matplotlib inline``), which are not Python."""
    return ["".join(line for line in "".join(cell["source"]).splitlines(keepends=True) if not line.startswith("%"))
            for cell in book["cells"] if cell["cell_type"] == "code"]


def _downloads_of(page) -> dict[str, str]:
    """The downloads a page links to: file name -> its address in the site."""
    return {a["href"].rsplit("/", 1)[1]: a["href"] for a in page.select("a.reference.download[href]")}


@pytest.mark.parametrize("folder, filename", [(f, n) for f, n, _ in EXAMPLES],
                         ids=lambda v: str(v).removesuffix(".py"))
def test_the_chinese_downloads_are_the_english_program_with_its_prose_in_chinese(site, folder, filename):
    zh = site.translation(ZH)
    page = f"{GALLERY[folder]}/{filename.removesuffix('.py')}.html"
    english, chinese = _downloads_of(site.soup(page)), _downloads_of(zh.soup(page))
    stem = filename.removesuffix(".py")
    assert {f"{stem}.py", f"{stem}.ipynb", f"{stem}.zip"} <= set(chinese) and set(chinese) == set(english)

    def read(built, links, name) -> bytes:
        return (built.html / GALLERY[folder] / links[name]).resolve().read_bytes()

    # The script: the very program, every comment and docstring in Chinese.
    en_script, zh_script = (read(site, english, filename).decode(), read(zh, chinese, filename).decode())
    assert program_tokens(zh_script) == program_tokens(en_script)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. reST's "\ " in a docstring: Python 3.12 warns at every run
        compile(zh_script, filename, "exec")
    prose = _prose_of_code(zh_script)
    assert prose and all(_translated(text) for text in prose), [text for text in prose if not _translated(text)]
    # The notebook: the same code cells, markdown cells in Chinese.
    en_book, zh_book = (json.loads(read(site, english, f"{stem}.ipynb")), json.loads(read(zh, chinese, f"{stem}.ipynb")))

    assert [program_tokens(code) for code in _code_cells(zh_book)] == [program_tokens(code) for code in _code_cells(en_book)]
    assert any(_is_han_text(text) for code in _code_cells(zh_book) for text in _prose_of_code(code))
    markdown = ["".join(cell["source"]) for cell in zh_book["cells"] if cell["cell_type"] == "markdown"]
    markdown = [text for text in markdown if text.strip()]
    assert markdown and all(_translated(text) for text in markdown), markdown
    assert "\\ " not in "".join(markdown)  # reST's escaped spaces mean nothing in markdown
    # The zip: the same members, which are these very files.
    with zipfile.ZipFile(io.BytesIO(read(zh, chinese, f"{stem}.zip"))) as zh_zip, \
            zipfile.ZipFile(io.BytesIO(read(site, english, f"{stem}.zip"))) as en_zip:
        assert zh_zip.namelist() == en_zip.namelist()
        assert zh_zip.read(filename) == read(zh, chinese, filename)
        assert zh_zip.read(f"{stem}.ipynb") == read(zh, chinese, f"{stem}.ipynb")


def test_the_chinese_archives_hold_the_chinese_downloads(site):
    zh = site.translation(ZH)
    scripts = {}
    for folder, filename, _ in EXAMPLES:
        page = zh.soup(f"{GALLERY[folder]}/{filename.removesuffix('.py')}.html")
        link = _downloads_of(page)[filename]
        scripts[filename] = (zh.html / GALLERY[folder] / link).resolve().read_bytes()
    archives = [("index.html", "learning_pytorch_with_examples.zip")]
    archives += [(f"{GALLERY[folder]}/index.html", f"{GALLERY[folder].rsplit('/', 1)[1]}_python.zip")
                 for folder in GALLERY]
    for page, name in archives:
        link = _downloads_of(zh.soup(page))[name]
        english = _downloads_of(site.soup(page))[name]
        base = zh.html / page
        with zipfile.ZipFile(base.parent / link) as zh_zip, zipfile.ZipFile((site.html / page).parent / english) as en_zip:
            assert zh_zip.namelist() == en_zip.namelist(), name
            members = [m for m in zh_zip.namelist() if m.endswith(".py")]
            assert members, name
            for member in members:
                assert zh_zip.read(member) == scripts[member.rsplit("/", 1)[-1]], (name, member)
                assert _is_han_text(zh_zip.read(member).decode()), (name, member)


@pytest.mark.parametrize("page", ["tutorial.html", *(f"{GALLERY[f]}/{n.removesuffix('.py')}.html" for f, n, _ in TUTORIAL)])
def test_the_code_on_the_chinese_pages_is_the_english_program_with_chinese_comments(site, page):
    english = [pre.get_text() for pre in site.soup(page).select("div.highlight-python pre, div.highlight-Python pre")]
    chinese = [pre.get_text() for pre in site.translation(ZH).soup(page).select(
        "div.highlight-python pre, div.highlight-Python pre")]
    assert [program_tokens(code) for code in chinese] == [program_tokens(code) for code in english]
    prose = [text for code in chinese for text in _prose_of_code(code)]
    assert prose and all(_translated(text) for text in prose), [text for text in prose if not _translated(text)]


def _is_han_text(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


#: Names that stay as they are in Chinese text: programs, packages, classes, optimisers, chips.
_NAMES = {"numpy", "pytorch", "tensorflow", "torch", "nn", "optim", "adam", "sgd", "sequential", "module", "cpu",
          "relu", "gpu"}


def test_the_figures_alt_texts_on_the_chinese_pages_are_wholly_chinese(site):
    zh = site.translation(ZH)
    checked = 0
    for page in zh.pages():
        name = page.relative_to(zh.html).as_posix()
        english = {img["src"]: img["alt"] for img in site.soup(name).select("img[alt]") if img["alt"]}
        for img in zh.soup(name).select("img[alt]"):
            if img["src"] not in english:
                continue
            words = {w.lower() for w in re.findall(r"[A-Za-z]{2,}", english[img["src"]])}
            left = {w.lower() for w in re.findall(r"[A-Za-z]{2,}", img["alt"])} & words - _NAMES
            assert not left, f"{name}: English words {sorted(left)} in {img['alt']!r}"
            assert not _STRAY_SPACE.search(img["alt"]), img["alt"]
            checked += 1
    assert checked >= 20


def test_the_chinese_pages_name_the_site_and_the_home_link_in_chinese(site):
    zh = site.translation(ZH)
    name = {m.id: m.string for m in read_po((LOCALES / ZH / "LC_MESSAGES" / "site.po").open("rb"))}[
        "Learning PyTorch with Examples"]
    assert _is_han_text(name)
    for page in ("index.html", "tutorial.html", "glossary.html", "auto_examples/nn/dynamic_net.html"):
        soup = zh.soup(page)
        assert soup.title.get_text().endswith(f"— {name}"), soup.title
        assert soup.select_one(".wy-side-nav-search a.icon-home").get_text().strip() == name
        assert soup.select_one(".wy-breadcrumbs a.icon-home")["aria-label"] == "首页"
        assert "Learning PyTorch with Examples" not in soup.select_one("head").get_text()
    assert site.soup("tutorial.html").select_one(".wy-breadcrumbs a.icon-home")["aria-label"] == "Home"


# -- Chinese as it is set: no stray spaces, one term per concept -------------------------------

_STRAY_SPACE = re.compile(rf"[\u4e00-\u9fff] +[\u4e00-\u9fff]|[^\S\n]+[{''.join(FULL_WIDTH)}]|[（][^\S\n]+")


def test_the_chinese_pages_have_no_stray_spaces_from_markup(site):
    # reST needs a space, or an escaped one ("\ "), between inline markup and the text
    # around it; an unescaped one shows on the page between two Chinese characters
    # or before a full-width bracket ("张量 （tensor）", "计算图 ：").
    zh = site.translation(ZH)
    found = []
    for page in zh.pages():
        main = zh.soup(page.relative_to(zh.html)).select_one("div[role=main]")
        for block in main.select("pre, script, style"):
            block.decompose()
        for code in main.select("code"):  # inline code: Latin text, set apart by spaces
            code.replace_with("x")
        text = main.get_text()
        found += [f"{page.relative_to(zh.html)}: {text[max(0, m.start() - 10):m.end() + 10]!r}"
                  for m in _STRAY_SPACE.finditer(text)]
    assert not found, "\n".join(found)


def _glossary_terms() -> dict[str, str]:
    """English glossary term -> the one Chinese term for it, from the glossary's catalog entries."""
    glossary = (ROOT / "docs" / "glossary.rst").read_text(encoding="utf-8")
    english = re.findall(r"^   (\S[^\n]*)\n      \S", glossary, re.M)
    catalog = {m.id: m.string for m in read_po((LOCALES / ZH / "LC_MESSAGES" / "site.po").open("rb")) if m.id}
    terms = {}
    for term in english:
        chinese = re.fullmatch(r"(.+?)（(.+)）", catalog[term])
        assert chinese and term in chinese.groups(), f"the glossary gives {term!r} as {catalog[term]!r}: write 中文（{term}）"
        terms[term] = chinese[1]  # "ReLU（线性整流单元）": the name itself is the word used
    return terms


def _prose(text: str) -> str:
    """A message without its code, roles, links and markup: the words a reader reads."""
    text = re.sub(r"(?::[a-z:]+:)?``[^`]+``|:(?!term:)[a-z:]+:`[^`]+`|`[^`]*<[^>]+>`_+", " ", text)
    text = re.sub(r":term:`([^`<]+?)\s*(?:<[^>]+>)?`", r"\1", text)
    return re.sub(r"\\ |\*", "", text)


def test_each_glossary_term_has_one_chinese_word_across_the_catalogs():
    terms = _glossary_terms()
    assert len(set(terms.values())) == len(terms)  # one word per concept, and one concept per word
    messages = [m for catalog in CATALOGS if catalog.parts[-3] == ZH
                for m in read_po(catalog.open("rb")) if m.id and m.string]
    missing = []
    for message in messages:
        english, chinese = _prose(message.id), _prose(message.string)
        for term, word in terms.items():
            spelled = re.escape(term).replace("optimizer", "optimi[sz]er")  # the pages write "optimiser"
            if re.search(rf"(?<![\w-]){spelled}e?s?(?![\w-])", english, re.I) and word not in chinese:
                missing.append(f"{term!r} is not {word!r} in: {message.string[:100]!r}")
    assert not missing, f"{len(missing)} messages:\n" + "\n".join(missing)
    # The words the catalogs once mixed in, outside code, for the same concepts.
    for message in messages:
        chinese = _prose(message.string)
        for mixed in ("Module", "自定义 Function", "自定义函数"):
            assert mixed not in chinese.replace("模块（Module）", ""), f"{mixed!r} in {message.string[:100]!r}"


@pytest.mark.parametrize("language", ["en", ZH])
def test_the_tutorial_links_each_glossary_term_to_its_entry(site, language):
    built = site if language == "en" else site.translation(language)
    glossary = built.soup("glossary.html")
    entries = {dt["id"]: dt.get_text().rstrip("¶") for dt in glossary.select("dl.glossary dt[id]")}
    assert len(entries) == len(_glossary_terms())
    linked = {a["href"].split("#", 1)[1] for a in built.soup("tutorial.html").select("a[href*='glossary.html#term-']")}
    assert linked == set(entries), f"not linked from the tutorial: {sorted(set(entries) - linked)}"


def test_the_chinese_glossary_is_in_pinyin_order(site):
    from tutorial_site.translations import pinyin_key

    terms = [dt.get_text().rstrip("¶") for dt in site.translation(ZH).soup("glossary.html").select("dl.glossary dt")]
    assert len(terms) == len(_glossary_terms())
    assert terms == sorted(terms, key=pinyin_key)
    assert terms[0].startswith("动态图") and terms[-1].startswith("自动求导")  # dòng ... zì, not by code point


def test_chinese_search_keeps_every_glossary_term_whole():
    words = (ROOT / "docs" / "locales" / ZH / "search_words.txt").read_text(encoding="utf-8").split()
    assert set(_glossary_terms().values()) - {"ReLU"} <= set(words)


def test_the_chinese_search_index_holds_every_site_word_whole(site):
    # jieba alone would cut 学习率 into 学习 + 率; the site's words are added to it before the first page is split.
    words = (ROOT / "docs" / "locales" / ZH / "search_words.txt").read_text(encoding="utf-8").split()
    index = (site.html / ZH / "searchindex.js").read_text(encoding="utf-8")
    data = json.loads(index[index.index("(") + 1:index.rindex(")")])
    missing = [w for w in words if w not in data["terms"] and w not in data["titleterms"]]
    assert not missing, missing
    assert "学习率" in words and "学习率" in data["terms"]


def test_the_accelerator_line_of_the_speed_figure_has_its_translation_on_every_machine():
    """The speed example draws one line more where torch has an accelerator: its label is one fixed text,
    whatever the device, and the catalog has it, so the strict Chinese build passes on such a machine."""
    from tutorial_site import figures
    from tutorial_site.code_translation import figure_texts

    source = (ROOT / "examples_comparison" / "accelerator_speedup.py").read_text(encoding="utf-8")
    assert '("torch, accelerator", "torch", accelerator)' in source and 'f"torch, {' not in source
    catalog = {m.id: m.string for m in read_po((LOCALES / ZH / "LC_MESSAGES" / "examples.po").open("rb"))
               if m.id and m.context == "figure"}
    summary = {"suptitle": "", "axes": [{"title": "One training step of the two-layer network", "log": True,
                                         "x": "batch N x hidden width H", "y": "time per training step (ms)",
                                         "lines": [{"label": label, "start": ["64 x 100", 0.1], "end": ["4096 x 2048", 9.0]}
                                                   for label in ("numpy, CPU", "torch, CPU", "torch, accelerator")]}]}
    missing = [text for text in figure_texts(summary) if not catalog.get(text)]
    assert not missing, missing
    drawn = lambda text: catalog[text]  # noqa: E731 - the catalog, as the Chinese build reads it
    assert "torch，加速器" in figures.describe(summary, drawn=drawn)


FAKE_ACCELERATOR = '''
import torch
import gallery_runner.machine

# A machine with an accelerator, as far as the examples and the engine can tell (a test's stand-in: it computes
# on the CPU). The engine sees another machine, so the machine-dependent speed example runs again.
torch.accelerator.is_available = lambda: True
torch.accelerator.current_accelerator = lambda: torch.device("cpu")
torch.accelerator.device_count = lambda: 1
torch.accelerator.synchronize = lambda *args, **kwargs: None
gallery_runner.machine.accelerators = lambda *args: ["Test Accelerator 9000"]
'''


def test_a_build_on_a_machine_with_an_accelerator_passes_in_chinese(built_project, tmp_path):
    """The speed example draws its accelerator's line, and the strict Chinese build has words for all of it."""
    fake = tmp_path / "fake accelerator"
    fake.mkdir()
    (fake / "sitecustomize.py").write_text(FAKE_ACCELERATOR, encoding="utf-8")
    result = build_site(built_project, env={"PYTHONPATH": str(fake)}, languages=[ZH])
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    assert "running 1 example" in log  # the speed example, on "another machine"; the others from their entries
    page = built_project / "_build" / "html" / ZH / "auto_examples" / "comparison" / "accelerator_speedup.html"
    text = page.read_text(encoding="utf-8")
    assert "torch，加速器" in text  # the third line's label, in the figure's alt text
    assert "Accelerator: cpu" in text  # what the example printed of its (stand-in) device


def test_a_catalog_with_a_broken_line_stops_the_build_naming_the_catalog_and_the_line(built_project):
    catalog = built_project / "docs" / "locales" / ZH / "LC_MESSAGES" / "site.po"
    lines = catalog.read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines) if line.startswith('msgstr ":doc:`tutorial`'))
    lines[number] = lines[number].removesuffix('"')  # a tired translator's missing closing quote
    catalog.write_text("\n".join(lines), encoding="utf-8")
    result = build_site(built_project, languages=[ZH])
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert re.search(rf"ERROR: \S*site\.po:{number + 1}: a string that is not closed: end it with a double quote", log), \
        log[-3000:]
    assert "Inline interpreted text" not in log and "Traceback" not in log  # it stops there, saying only that
