"""Readable by everyone: every page passes axe-core, the keyboard reaches everything, figures are described.

axe-core (the engine behind most accessibility audits; its npm package, which
package.json pins and ``make test`` installs) checks every HTML page of both builds,
the published one (``site``, in every language) and the local one (``second_site``), in headless
Chromium, against the WCAG 2 A and AA rules and axe's best practices. No rule
is turned off. A failure lists each violation with its page, rule and
element, and what axe says to fix. The published site's languages are
audited in one pass that reaches each translated page through the language
switcher, and checks every step of it (``audit_every_language``).
"""

from __future__ import annotations

import contextlib
import re
from concurrent.futures import Future
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from helpers import EXAMPLES, GALLERY, LANGUAGES, SITE_PATH, axe_core, chromium, example_source, served, start_after

pytestmark = pytest.mark.slow

#: axe-core's tags for the rule sets the site must pass.
RULE_SETS = ["wcag2a", "wcag2aa", "best-practice"]
#: Page states that exist only after the page has run (an address plus what to wait for).
STATES = {
    "search.html?q=autograd": "#search-results p.search-summary",  # results listed
    "no/such/page.html": None,  # the 404 page, as the host answers a missing address
}


def violations_of(page) -> list[dict]:
    """What axe-core finds on the page (loaded into every page of the context: see ``audit``)."""
    options = {"runOnly": {"type": "tag", "values": RULE_SETS}, "resultTypes": ["violations"]}
    return page.evaluate("options => axe.run(document, options)", options)["violations"]


def report(address: str, violations: list[dict]) -> list[str]:
    """One entry per element: page, rule, element, and what axe says to fix."""
    return [
        f"{address}: {v['id']} ({v['impact']}): {v['help']}\n"
        f"    element: {' '.join(node['target'])}  {node['html'][:160]}\n"
        f"    {' '.join(node.get('failureSummary', '').split())}"
        for v in violations for node in v["nodes"]
    ]


def audit(browser, built, site_path: str, addresses: list[str] | None = None) -> tuple[list[str], list[str]]:
    """(every address audited, every violation found) in one build, served under ``site_path``.

    The addresses are every page and every state (``STATES``), unless given.
    """
    if addresses is None:
        addresses = [page.relative_to(built.html).as_posix() for page in built.pages()] + list(STATES)
    found = []
    with tab_with_axe(browser, built, site_path) as (base, page):
        for address in addresses:
            page.goto(f"{base}/{address}", wait_until="load")
            if STATES.get(address):
                page.locator(STATES[address]).wait_for(timeout=15_000)
            found += report(address, violations_of(page))
    return addresses, found


@contextlib.contextmanager
def tab_with_axe(browser, built, site_path: str):
    """(the base URL, a tab) for auditing the build served under ``site_path``: axe-core is in every page it loads."""
    with served(built.html, site_path) as base:
        context = browser.new_context()
        context.add_init_script(axe_core())
        try:
            yield base, context.new_page()
        finally:
            context.close()


def check(audited: tuple[list[str], list[str]]) -> None:
    addresses, found = audited
    assert len(addresses) >= 25 and "tutorial.html" in addresses
    assert not found, f"{len(found)} accessibility violations:\n" + "\n".join(found)


# -- Every language, through the language switcher -------------------------------------------

#: What the switcher calls each language, and the ``lang`` of its pages.
LANGUAGE_NAMES = {"": ("English", "en"), "zh_CN": ("简体中文", "zh-CN")}


def audit_every_language(browser, built, site_path: str) -> dict[str, tuple[list[str], list[str]] | list[str]]:
    """Every page of the site in every language, audited, walked through the language switcher.

    One pass in Chromium: each English page, then through its switcher the
    same page in each translation, and back. Each language's copy of a page is
    audited (axe-core) on the way, and so are the page states (``STATES``)
    of each language, served as its host serves it. At every step the
    switcher must name the language shown (``aria-current``), its link must
    lead to the same page in the other language, and ``<html lang>`` must
    say that language. Each page is loaded (its scripts run) before the
    next click, which is then never lost to a page still loading, however
    busy the machine.

    Returns the audit of each language ("" for English, as ``audit``
    returns it) and, under "switcher", the steps that went wrong (after
    three, the other pages are reached by their address).
    """
    pages = [page.relative_to(built.html).as_posix() for page in built.pages()]
    audited = {language: (list(pages), []) for language in ["", *LANGUAGES]}
    wrong: list[str] = []
    with tab_with_axe(browser, built, site_path) as (base, page):

        def switch(name: str, here: str, there: str) -> None:
            """From ``name`` in language ``here``, the switcher to ``there``, checked; on failure, go there anyway."""
            url = f"{base}/{there}/{name}" if there else f"{base}/{name}"
            if len(wrong) >= 3:  # enough to say what is wrong: the other pages by their address
                page.goto(url, wait_until="load")
                return
            try:  # generous waits: in idle time, Chromium gets only the CPU the other tests leave
                switcher = page.locator("nav.language-switcher")
                expect(switcher.locator("[aria-current=page]")).to_have_text(LANGUAGE_NAMES[here][0], timeout=30_000)
                switcher.locator(f'a[hreflang="{LANGUAGE_NAMES[there][1]}"]').click(no_wait_after=True, timeout=30_000)
                page.wait_for_url(url, wait_until="load", timeout=30_000)
                expect(page.locator("html")).to_have_attribute("lang", LANGUAGE_NAMES[there][1], timeout=30_000)
            except (AssertionError, PlaywrightError) as error:
                wrong.append(f"{here or 'English'} {name} -> {there or 'English'}: {str(error).splitlines()[0]}")
                page.goto(url, wait_until="load")

        for name in pages:
            page.goto(f"{base}/{name}", wait_until="load")
            audited[""][1].extend(report(name, violations_of(page)))
            for language in LANGUAGES:
                switch(name, "", language)
                audited[language][1].extend(report(f"{language}/{name}", violations_of(page)))
                switch(name, language, "")
    for language in ["", *LANGUAGES]:
        states = audit(browser, built.translation(language) if language else built,
                       f"{site_path}{language}/" if language else site_path, list(STATES))
        audited[language][0].extend(states[0])
        audited[language][1].extend(states[1])
    return {**audited, "switcher": wrong}


def audit_in_a_browser_of_its_own(audit_job, built, site_path: str):
    """``audit_job(browser, built, site_path)`` in a Chromium of this thread's own."""
    with chromium() as browser:
        return audit_job(browser, built, site_path)


def audit_alone(built, site_path: str) -> tuple[list[str], list[str]]:
    """``audit`` in a Chromium of this thread's own."""
    return audit_in_a_browser_of_its_own(audit, built, site_path)


@pytest.mark.idle_time
def test_every_page_of_the_published_site_has_no_accessibility_violations(browser, site):
    check(every_language(browser, site)[""])


@pytest.mark.idle_time
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_of_each_translation_has_no_accessibility_violations(browser, site, language):
    check(every_language(browser, site)[language])


@pytest.mark.idle_time
def test_the_language_switcher_leads_to_the_same_page_in_the_other_language_on_every_page(browser, site):
    for language in LANGUAGES:
        translated = site.translation(language)
        assert [p.relative_to(site.html) for p in site.pages()] == [p.relative_to(translated.html)
                                                                  for p in translated.pages()]
    wrong = every_language(browser, site)["switcher"]
    assert not wrong, f"{len(wrong)} steps of the language switcher went wrong:\n" + "\n".join(wrong)


@pytest.mark.idle_time
def test_every_page_of_a_local_build_has_no_accessibility_violations(browser, second_site):
    local = STARTED.pop("local", None)
    check(local.result() if local else audit(browser, second_site, "/"))


# Both audits start in idle time, each in a Chromium of its own (Playwright's
# browsers belong to the thread that started them): that of every language
# of the site as soon as it is built, that of the second build as soon as
# that is done (conftest's ``site`` fixture starts it in idle time too).
STARTED: dict[str, Future] = {}
EVERY_LANGUAGE = ("test_every_page_of_the_published_site_has_no_accessibility_violations",
                  "test_every_page_of_each_translation_has_no_accessibility_violations",
                  "test_the_language_switcher_leads_to_the_same_page_in_the_other_language_on_every_page")


def every_language(browser, site) -> dict:
    """``audit_every_language`` of the site: the one started in idle time once it is done, or one run now."""
    if "every language" not in STARTED:
        STARTED["every language"] = Future()
        STARTED["every language"].set_result(audit_every_language(browser, site, SITE_PATH))
    return STARTED["every language"].result()


def start_in_idle_time(items, idle) -> None:
    if idle.site is None:
        return  # every audit needs a build
    names = {item.originalname for item in items}
    if names & set(EVERY_LANGUAGE):
        STARTED["every language"] = idle.pool.submit(audit_in_a_browser_of_its_own, audit_every_language,
                                                     idle.site, SITE_PATH, urgency=1)
    if "test_every_page_of_a_local_build_has_no_accessibility_violations" in names and idle.second_site:
        STARTED["local"] = start_after(idle.second_site, idle.pool, audit_alone, "/", urgency=0)


# -- The keyboard -----------------------------------------------------------------------------

# What has the focus: its place in the page, what it is, and how it shows the focus.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  let opacity = 1;
  for (let e = el; e; e = e.parentElement) opacity *= parseFloat(getComputedStyle(e).opacity);
  const box = el.getBoundingClientRect();
  return {
    index: el.dataset.place || "unplaced",
    html: el.outerHTML.slice(0, 120),
    outline: style.outlineStyle, width: parseFloat(style.outlineWidth), opacity: opacity,
    shown: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < window.innerHeight,
    folded: el.tagName === "SUMMARY" && !el.parentElement.open,
  };
}"""
# Number every element of the page (copying changes a button's icon, so
# positions in the page would shift); then the numbers of each element the
# keyboard must reach, by what it is.
MUST_REACH = """() => {
  Array.prototype.forEach.call(document.getElementsByTagName("*"), (el, i) => { el.dataset.place = i; });
  const places = selector => Array.from(document.querySelectorAll(selector), el => el.dataset.place);
  return {
    "the search box": places("#rtd-search-form input[name=q]"),
    "the menu": places(".wy-menu-vertical a"),
    "a copy button": places("button.copybtn"),
    "a download link": places("a.download"),
  };
}"""


def test_the_keyboard_reaches_search_menu_copy_buttons_and_downloads_with_a_visible_focus(visit):
    v = visit("tutorial.html")  # (every visit may use the clipboard)
    page = v.page
    must_reach = page.evaluate(MUST_REACH)
    assert all(must_reach.values()), must_reach
    first_copy_button = must_reach["a copy button"][0]

    reached, copied = {}, None
    for _ in range(3000):  # far more tab stops than the page has
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None or focused["index"] in reached:
            break  # past the last tab stop: the focus left the page or came round again
        reached[focused["index"]] = focused
        if focused["folded"]:
            page.keyboard.press("Enter")  # open the fold, as a reader would, to reach what is in it
        if focused["index"] == first_copy_button:
            code = page.evaluate("document.activeElement.previousElementSibling.textContent")
            page.keyboard.press("Enter")
            copied = page.evaluate("navigator.clipboard.readText()")
    else:
        pytest.fail("tabbing never came to the end of the page")

    for what, places in must_reach.items():
        missed = [place for place in places if place not in reached]
        assert not missed, f"Tab never reaches {len(missed)} of {len(places)} ({what})"
    unseen = [(f["html"], f["outline"], f["width"], f["opacity"], f["shown"]) for f in reached.values()
              if not (f["outline"] != "none" and f["width"] >= 2 and f["opacity"] > 0.99 and f["shown"])]
    assert not unseen, f"{len(unseen)} elements show no focus ring when focused: {unseen[:5]}"
    assert copied is not None and copied.strip() == code.strip()
    assert not v.problems, v.problems


# -- Figures ------------------------------------------------------------------------------------

def final_loss(printed: str) -> float:
    return float(re.findall(r"step\s+500\s+loss\s+(\S+)", printed)[-1])


@pytest.mark.parametrize(("folder", "filename"), [(f, n) for f, n, _ in EXAMPLES])
def test_every_figure_says_what_it_shows(site, folder, filename):
    """Alt text from the figure itself: its title, the log scale, and where each line starts and ends."""
    stem = filename.removesuffix(".py")
    soup = site.soup(f"{GALLERY[folder]}/{stem}.html")
    figures = soup.select("img.sphx-glr-single-img")
    assert figures, "the example draws a figure"
    title = re.search(r'ax\.set_title\("([^"]+)"\)', example_source(folder, filename))[1]
    for img in figures:
        alt = img["alt"]
        assert alt.startswith(title) and "on a log scale" in alt
        assert re.search(r"(falls|rises) from \S+( × 10\^-?\d+)? at .+ to ", alt), alt
    if folder != "examples_comparison":  # one line, ending where the printed loss does
        printed = "\n".join(pre.get_text() for pre in soup.select(".sphx-glr-script-out pre"))
        *_, last = re.findall(r"to (\d[\d.,]*)(?: × 10\^(-?\d+))? at training step 499", figures[0]["alt"])
        mantissa, exponent = last
        described = float(mantissa.replace(",", "")) * 10 ** int(exponent or 0)
        assert described == pytest.approx(final_loss(printed), rel=0.06)
        # The narrative page shows the same figure with the same words.
        tutorial = site.soup("tutorial.html")
        same = [i for i in tutorial.select("img.tutorial-plot") if i["src"].endswith(Path(figures[0]["src"]).name)]
        assert [i["alt"] for i in same] == [figures[0]["alt"]]
