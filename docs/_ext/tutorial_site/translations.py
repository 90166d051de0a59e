"""The site in more than one language, from one execution of the examples.

English is the source language. Each language listed in ``translations``
(conf.py) is built after it by a second ``sphinx-build -D language=...`` into
``<html>/<language>/`` (``make html``), from the same sources and the same
generated gallery pages: the examples ran in the English build, and their
checksums tell the translation build that nothing needs to run again.

The pages' text is translated the Sphinx way, through gettext catalogs in
``locales/<language>/LC_MESSAGES/``: ``site.po`` for every document (one
catalog, ``gettext_compact = "site"``), ``tutorial_site.po`` for the strings
this extension writes (``_`` below; ``make translations`` extracts them).

- :func:`publish_under_language` (config-inited): a translation build links
  canonically to, and writes its 404 page for, ``<site_url><language>/``.
- :func:`load_own_messages` (config-inited): compiles the catalogs that changed, loads ``tutorial_site.po``.
- :class:`BuildTimeTexts`: texts that change with every run (running times,
  execution-time tables) are written by this extension in the page's
  language and kept out of the catalogs, which could never keep up with them.
- :class:`CheckTranslated`: a translation build warns (fails, with ``-W``) on
  every page where a message has no translation, naming it.
- :func:`add_language_links` (html-page-context): every page links to itself
  in every language (the switcher, ``hreflang`` alternates).
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import urlsplit

from docutils import nodes
from sphinx import addnodes, locale
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.i18n import CatalogRepository, docname_to_domain
from sphinx.util.nodes import extract_messages

from gallery_runner import seam

logger = logging.getLogger(__name__)

#: The gettext domain of this extension's own strings.
DOMAIN = "tutorial_site"
_translate = locale.get_translation(DOMAIN)


def _(message: str) -> str:
    """``message`` in the build's language, from this extension's catalog (``make translations``).

    A translation build warns (fails, with ``-W``) the first time a message
    has no translation, so no English slips into a translated page.
    """
    translated = str(_translate(message))
    if translated == message and locale.is_translator_registered(DOMAIN) and message not in _reported:
        _reported.add(message)
        logger.warning("%r has no translation in %s.po: run `make translations` and translate it",
                       message, DOMAIN, type="i18n", subtype="untranslated")
    return translated


_reported: set[str] = set()


#: The language the sources are written in.
SOURCE_LANGUAGE = "en"


def is_translation(config: Config) -> bool:
    return config.language != SOURCE_LANGUAGE and config.language in config.translations


def languages(config: Config) -> list[str]:
    """Every language the site is published in, the source language first."""
    return [SOURCE_LANGUAGE, *config.translations]


def language_prefix(language: str) -> str:
    """Where a language's pages live, relative to the site's root: "" or "zh_CN/"."""
    return "" if language == SOURCE_LANGUAGE else f"{language}/"


def hreflang(language: str) -> str:
    """The BCP 47 tag of a language: zh_CN -> zh-CN."""
    return language.replace("_", "-")


# -- Configuration ------------------------------------------------------------------


def check_language(app: Sphinx, config: Config) -> None:
    if config.language != SOURCE_LANGUAGE and config.language not in config.translations:
        raise ConfigError(
            f"language {config.language!r} is not one of the site's translations "
            f"({', '.join(config.translations) or 'none'}): add it to `translations` in conf.py"
        )


def publish_under_language(app: Sphinx, config: Config) -> None:
    """A translation build's canonical links and 404 page point at ``<site>/<language>/``."""
    if not is_translation(config):
        return
    prefix = language_prefix(config.language)
    if config.html_baseurl:
        config.html_baseurl = config.html_baseurl.rstrip("/") + "/" + prefix
    if hasattr(config, "notfound_urls_prefix"):
        config.notfound_urls_prefix = (config.notfound_urls_prefix or "/").rstrip("/") + "/" + prefix


def load_own_messages(app: Sphinx, config: Config) -> None:
    """Compile the build language's catalogs that changed, and load this extension's.

    Sphinx compiles them only when it starts reading, after the galleries are
    made (:mod:`.code_translation` reads the examples' catalog then), and a
    catalog once loaded is not read again in that process.
    """
    if not is_translation(config):
        return
    repo = CatalogRepository(app.srcdir, config.locale_dirs, config.language, config.source_encoding)
    for catalog in repo.catalogs:
        if catalog.is_outdated():
            catalog.write_mo(config.language, config.gettext_allow_fuzzy_translations)
    locale.init(list(repo.locale_dirs), config.language, DOMAIN)


def catalog(app: Sphinx, domain: str):
    """The build language's catalog ``domain`` from the site's locale folders (compiled by :func:`load_own_messages`)."""
    dirs = [str(Path(app.srcdir, folder)) for folder in app.config.locale_dirs]
    return locale.init(dirs, app.config.language, domain)[0]


def pages_catalog(app: Sphinx, docname: str):
    """The catalog that translates page ``docname`` (one for every page: ``gettext_compact``)."""
    return catalog(app, docname_to_domain(docname, app.config.gettext_compact))


# -- Texts written at build time ----------------------------------------------------


class BuildTimeTexts(SphinxTransform):
    """Write sphinx-gallery's measured times in the page's language, outside the catalogs.

    A running time or an execution-times table changes on every run, so a
    catalog could never hold it: the sentences are rewritten here from this
    extension's messages, the tables' rows marked as not translatable (their
    links show the translated titles anyway), and the figures' alt text,
    which states the figure's numbers, is kept out of the catalogs
    (:mod:`.figures` writes it in the page's language).
    """

    default_priority = 5  # before Sphinx's translation (Locale, 20) and message extraction

    def apply(self) -> None:
        for paragraph in list(self.document.findall(nodes.paragraph)):
            text = paragraph.astext()
            if found := seam.RUNNING_TIME.match(text):
                minutes, seconds = found.groups()
                paragraph.replace_self(_fixed_paragraph(
                    paragraph, _("Total running time of the script:"),
                    _("({minutes} minutes {seconds} seconds)").format(minutes=minutes, seconds=seconds)))
            elif (found := seam.TOTAL_TIME.match(text)) and paragraph.next_node(nodes.strong):
                total, count, where = found.groups()
                sentence = _("total execution time for {count} files from {where}:")
                where = _("all galleries") if where == "all galleries" else _spaced(sentence, "{where}", where)
                paragraph.replace_self(_fixed_paragraph(paragraph, total, sentence.format(count=count, where=where)))
        for table in self.document.findall(nodes.table):
            if seam.TIMES_TABLE_CLASS in table.get("classes", []) or self.env.docname.endswith("sg_execution_times"):
                for body in table.findall(nodes.tbody):
                    for element in body.findall(nodes.TextElement):
                        element["translatable"] = False
        for image in self.document.findall(nodes.image):
            if image.get("alt") and seam.is_example_figure(image.get("uri", "")):
                image["tutorial_alt"] = image.attributes.pop("alt")  # the catalogs extract every alt text


#: Punctuation that takes no space beside it (CJK text).
FULL_WIDTH = tuple("（），。：；、！？")


def _is_cjk(character: str) -> bool:
    return "\u2e80" <= character <= "\u9fff" or "\uf900" <= character <= "\ufaff"


def _spaced(sentence: str, placeholder: str, value: str) -> str:
    """``value`` (a path, in Latin letters) with a space on each side that touches CJK text in ``sentence``."""
    before, _, after = sentence.partition(placeholder)
    left = " " if before and _is_cjk(before[-1]) else ""
    right = " " if after and _is_cjk(after[0]) else ""
    return f"{left}{value}{right}"


def _fixed_paragraph(old: nodes.paragraph, strong: str, rest: str) -> nodes.paragraph:
    # No space after a full-width colon or before a full-width bracket: Chinese sets none.
    space = "" if strong.endswith(FULL_WIDTH) or rest.startswith(FULL_WIDTH) else " "
    new = nodes.paragraph("", "", nodes.strong(strong, strong), nodes.Text(space + rest), translatable=False)
    new.source, new.line = old.source, old.line
    return new


def restore_alt_texts(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Give the figures back the alt text :class:`BuildTimeTexts` kept out of the catalogs."""
    for image in doctree.findall(nodes.image):
        if "tutorial_alt" in image:
            image["alt"] = image["tutorial_alt"]


class CheckTranslated(SphinxTransform):
    """In a translation build, warn once per page that has messages without a translation."""

    default_priority = 25  # after Sphinx's Locale transform (20)

    def apply(self) -> None:
        if not is_translation(self.config) or self.app.builder.name == "gettext":
            return
        missing = [message for node, message in extract_messages(self.document) if not translated(node, message)]
        if missing:
            catalogs = ", ".join(f"{d}/{self.config.language}/LC_MESSAGES/" for d in self.config.locale_dirs)
            logger.warning(
                "%d message(s) of this page have no %s translation, the first: %r. Run `make translations` "
                "and translate them in %s",
                len(missing), self.config.language, missing[0][:120], catalogs,
                location=self.env.docname, type="i18n", subtype="untranslated",
            )


class TranslateThumbnails(SphinxTransform):
    """Translate the titles and tooltips of sphinx-gallery's thumbnails, which it writes as raw HTML.

    Both are the example's own title and first paragraph, so the page's
    catalog already has them; raw HTML is never translated by Sphinx.
    """

    default_priority = 21  # after Sphinx's Locale transform (20)

    def apply(self) -> None:
        if not is_translation(self.config) or self.app.builder.name == "gettext":
            return
        thumbnails = [raw for raw in self.document.findall(nodes.raw) if seam.THUMBNAIL_MARK in raw.astext()]
        if not thumbnails:
            return
        catalog = pages_catalog(self.app, self.env.docname)
        messages = {_plain(message): message for message in getattr(catalog, "_catalog", {}) if message}
        for raw in thumbnails:

            def translate(found: re.Match) -> str:
                prefix = found["head"] or found["open"]
                english = html.unescape(found["tooltip"] if found["head"] else found["title"])
                message = messages.get(_plain(english), english)
                translation = catalog.gettext(message)
                if translation == message:
                    logger.warning("thumbnail text without a %s translation: %r", self.config.language,
                                   english[:120], location=raw, type="i18n", subtype="untranslated")
                return prefix + html.escape(_plain(translation), quote=True)

            text = seam.THUMBNAIL_PARTS.sub(translate, raw.astext())
            raw.replace_self(nodes.raw("", text, format=raw.get("format", "html")))


class GlossaryInReadersOrder(SphinxTransform):
    """Sort a translated glossary the way its readers look words up: Chinese by pinyin.

    ``:sorted:`` orders a glossary by code point (Sphinx's GlossarySorter, after
    translation); a Chinese reader looks a word up by its pinyin, syllable
    by syllable, each by its letters and then its tone (pypinyin).
    """

    default_priority = 510  # after Sphinx's GlossarySorter (500)

    def apply(self) -> None:
        if not is_translation(self.config) or not self.config.language.startswith("zh"):
            return
        for glossary in self.document.findall(addnodes.glossary):
            for entries in glossary.findall(nodes.definition_list):
                entries[:] = sorted(entries, key=lambda item: pinyin_key(item.next_node(nodes.term).astext()))


def pinyin_key(term: str) -> list[tuple[str, int]]:
    """Where ``term`` goes in a Chinese index: its syllables' letters and tones, in order."""
    from pypinyin import Style, lazy_pinyin

    word = term.split("（", 1)[0]  # "张量（tensor）": the Chinese word, not the English beside it
    key = []
    for syllable in lazy_pinyin(word, style=Style.TONE3, neutral_tone_with_five=True):
        letters = syllable.rstrip("12345").lower()
        key.append((letters, int(syllable[-1]) if syllable[-1:].isdigit() else 0))
    return key


def _plain(rst: str) -> str:
    """A message as sphinx-gallery shows it in a tooltip: without inline markup."""
    text = re.sub(r":[a-z:]+:`([^`<]*?)\s*(?:<[^>]*>)?`", r"\1", rst)
    return " ".join(re.sub(r"``|\*\*|(?<!\w)\*|\*(?!\w)", "", text).split())


def translated(node: nodes.Element, message: str) -> bool:
    """Whether Sphinx's Locale transform translated ``message`` of ``node``."""
    if isinstance(node, addnodes.toctree):  # a caption: translated in place, not marked
        return node.get("caption") != message
    return bool(node.get("translated"))


# -- Chinese search ------------------------------------------------------------------


#: The search page's splitQuery for Chinese: the query is cut into the words jieba
#: cut the pages into. A run of Chinese characters that the index has as a word is
#: searched as it is; any other is cut, longest indexed word first, the way jieba
#: cuts a phrase it does not know (学习率 -> 学习 + 率), and pieces the index cannot
#: have (single characters) are left out.
SPLIT_CHINESE_QUERY = """
function splitQuery(query) {
  const index = typeof Search === "undefined" ? null : Search._index;
  const known = (word) =>
    index !== null &&
    (Object.hasOwn(index.terms, word) || Object.hasOwn(index.titleterms, word));
  const words = [];
  for (const token of query.split(/[^\\p{Letter}\\p{Number}_\\p{Emoji_Presentation}]+/gu)) {
    for (const run of token.match(/\\p{Script=Han}+|[^\\p{Script=Han}]+/gu) || []) {
      if (index === null || known(run) || !/\\p{Script=Han}/u.test(run)) {
        words.push(run);
        continue;
      }
      let start = 0;
      while (start !== run.length) {
        let end = run.length;
        while (end - start !== 1 && !known(run.slice(start, end))) end -= 1;
        if (end - start !== 1) words.push(run.slice(start, end));
        start = end;
      }
    }
  }
  return words;
}
"""


#: How often jieba is told a site word occurs: more than any word of its own
#: dictionary that could take the word's characters apart.
SITE_WORD_FREQUENCY = 10**7


def resolve_search_words(app: Sphinx, config: Config) -> None:
    """``html_search_options["words"]`` is relative to conf.py, like every path there."""
    words = config.html_search_options.get("words") if config.html_search_options else None
    if words:
        path = Path(app.confdir) / words
        if not path.is_file():
            raise ConfigError(f"html_search_options['words'] names {words}, which does not exist: write it "
                              "(one word a line, the Chinese search keeps each whole) or remove the option")
        # Read here, not by path at indexing time: the configuration (and .buildinfo) keeps the relative path.
        _SITE_WORDS[:] = path.read_text(encoding="utf-8").split()


#: The words of ``html_search_options["words"]``, read when the configuration is.
_SITE_WORDS: list[str] = []


def chinese_search() -> type:
    """Sphinx's Chinese search (jieba splits the words), mended in two places.

    * Sphinx loads jieba's own dictionary a second time, as a user dictionary,
      unless ``html_search_options`` names another: 349,000 words added one by
      one, about a second of every Chinese build, the no-op one included, for
      nothing (jieba reads that dictionary anyway, from its cache, and only
      when it first splits a text). Here only a dictionary that is named is
      loaded; and jieba says nothing unless something goes wrong.
    * The words listed in ``html_search_options["words"]`` (the glossary's terms
      and a few more) are always indexed whole (added to jieba when the first
      page is split, so that a build that indexes nothing never loads jieba).
    * The query is cut into words as the pages were (:data:`SPLIT_CHINESE_QUERY`):
      Sphinx looks the whole query up as one word, so 学习率, which jieba
      indexes as 学习 and 率, found no page.
    * Sphinx 9.0 ends the search page's language_data.js with ``window.Stemmer =
      ChineseStemmer;``, a name that does not exist (Chinese words are not
      stemmed; Latin ones get the English stemmer), so every search stops with
      "ChineseStemmer is not defined" (sphinx-doc/sphinx#14229, fixed in 9.1, which
      needs Python 3.12). The class named there comes from ``language_name``.
    """
    import logging

    import sphinx
    from sphinx.search.zh import SearchChinese

    class ChineseSearch(SearchChinese):
        if sphinx.version_info < (9, 1):
            language_name = "English"  # the stemmer it uses: window.Stemmer = EnglishStemmer
        js_splitter_code = SPLIT_CHINESE_QUERY

        def __init__(self, options: dict[str, str]) -> None:
            logging.getLogger("jieba").setLevel(logging.WARNING)
            super().__init__({"dict": "", **options})  # "": no second copy of jieba's own
            self._site_words_added = False

        def split(self, input: str) -> list[str]:
            if not self._site_words_added:
                # The site's own terms, always cut whole: a page that has 学习率 is found by 学习率.
                # Added when the first page is split, not before: adding a word loads jieba's
                # dictionary (0.4 s), which a build that indexes no page never needs.
                import jieba

                for word in _SITE_WORDS:
                    jieba.add_word(word, freq=SITE_WORD_FREQUENCY)
                self._site_words_added = True
            return super().split(input)

    return ChineseSearch


# -- The language switcher ----------------------------------------------------------


def add_language_links(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """``language_links``: this page in every language (name, hreflang, href, current)."""
    config = app.config
    if not config.translations:
        return
    current = config.language if is_translation(config) else SOURCE_LANGUAGE
    page = app.builder.get_target_uri(pagename)
    if pagename == getattr(config, "notfound_pagename", "404"):
        # The host shows the 404 page at any address: its links start from the site's path.
        site_path = urlsplit(config.site_url).path or "/"
        root = {language: site_path + language_prefix(language) for language in languages(config)}
    else:
        to_root = "../" * pagename.count("/") + ("../" if current != SOURCE_LANGUAGE else "")
        root = {language: to_root + language_prefix(language) for language in languages(config)}
    names = {SOURCE_LANGUAGE: "English", **config.translations}
    context["language_links"] = [
        {
            "code": language,
            "hreflang": hreflang(language),
            "name": names[language],
            "href": root[language] + page,
            "url": (config.site_url + language_prefix(language) + page) if config.site_url else root[language] + page,
            "current": language == current,
        }
        for language in languages(config)
    ]
    context["language_switcher_label"] = _("Language")
    context["home_label"] = _("Home")
    context["built_with"] = _("Built with {sphinx}, {gallery} and the {theme} theme.")


def name_the_site(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """A translated page names the site in its own language: in its title and its home link.

    The site's name (``project``, ``html_title``) is the title of the landing
    page, so the pages' catalog already translates it; the configuration
    itself is left alone (it is what the environment compares between builds).
    The copyright line names its holders as they are.
    """
    if not is_translation(app.config):
        return
    catalog = pages_catalog(app, app.config.root_doc)
    for key in ("project", "docstitle", "shorttitle"):
        if isinstance(context.get(key), str) and context[key]:
            translation = catalog.gettext(context[key])
            if translation == context[key] and key not in _unnamed:
                _unnamed.add(key)
                logger.warning("the site's name %r (%s) has no %s translation: it is translated as the landing "
                               "page's title is, in %s", context[key], key, app.config.language,
                               docname_to_domain(app.config.root_doc, app.config.gettext_compact) + ".po",
                               type="i18n", subtype="untranslated")
            context[key] = translation


_unnamed: set[str] = set()
