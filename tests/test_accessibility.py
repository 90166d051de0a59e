"""Readable by everyone: every page passes axe-core, the keyboard reaches everything, figures are described.

axe-core (the engine behind most accessibility audits; its npm package, which
package.json pins and ``make test`` installs) checks every HTML page of both builds,
the published one (``site``, in every language) and the local one (``second_site``), in headless
Chromium, against the WCAG 2 A and AA rules and axe's best practices. No rule
is turned off. A failure lists each violation with its page, rule and
element, and what axe says to fix.
"""

from __future__ import annotations

import re
from concurrent.futures import Future
from pathlib import Path

import pytest

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


def audit(browser, built, site_path: str) -> tuple[list[str], list[str]]:
    """(every address audited, every violation found) in one build, served under ``site_path``."""
    addresses = [page.relative_to(built.html).as_posix() for page in built.pages()] + list(STATES)
    found = []
    with served(built.html, site_path) as base:
        context = browser.new_context()
        context.add_init_script(axe_core())  # in every page
        page = context.new_page()
        for address in addresses:
            page.goto(f"{base}/{address}", wait_until="load")
            if STATES.get(address):
                page.locator(STATES[address]).wait_for(timeout=15_000)
            found += report(address, violations_of(page))
        context.close()
    return addresses, found


def check(audited: tuple[list[str], list[str]]) -> None:
    addresses, found = audited
    assert len(addresses) >= 25 and "tutorial.html" in addresses
    assert not found, f"{len(found)} accessibility violations:\n" + "\n".join(found)


@pytest.mark.idle_time
def test_every_page_of_the_published_site_has_no_accessibility_violations(browser, site):
    check(audited("published", browser, site, SITE_PATH))


@pytest.mark.idle_time
def test_every_page_of_a_local_build_has_no_accessibility_violations(browser, second_site):
    check(audited("local", browser, second_site, "/"))


@pytest.mark.idle_time
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_of_each_translation_has_no_accessibility_violations(browser, site, language):
    check(audited(language, browser, site.translation(language), f"{SITE_PATH}{language}/"))


# Each audit starts in idle time, in a Chromium of its own (Playwright's
# browsers belong to the thread that started them): those of the site's
# languages as soon as it is built, that of the second build as soon as that
# is done (conftest's ``site`` fixture starts it in idle time too).
STARTED: dict[str, Future] = {}


def audited(key: str, browser, built, site_path: str) -> tuple[list[str], list[str]]:
    """The audit started in idle time for ``key`` once it is done, or one run now in ``browser``."""
    started = STARTED.pop(key, None)
    return started.result() if started else audit(browser, built, site_path)


def start_in_idle_time(items, idle) -> None:
    if idle.site is None:
        return  # every audit needs a build
    for item in items:
        if item.originalname == "test_every_page_of_the_published_site_has_no_accessibility_violations":
            STARTED["published"] = idle.pool.submit(audit_in_a_browser_of_its_own, idle.site, SITE_PATH, urgency=1)
        elif item.originalname == "test_every_page_of_each_translation_has_no_accessibility_violations":
            language = item.callspec.params["language"]
            STARTED[language] = idle.pool.submit(audit_in_a_browser_of_its_own, idle.site.translation(language),
                                                 f"{SITE_PATH}{language}/", urgency=1)
        elif (item.originalname == "test_every_page_of_a_local_build_has_no_accessibility_violations"
              and idle.second_site):
            STARTED["local"] = start_after(idle.second_site, idle.pool, audit_in_a_browser_of_its_own, "/", urgency=0)


def audit_in_a_browser_of_its_own(built, site_path: str) -> tuple[list[str], list[str]]:
    """``audit`` in a Chromium of this thread's own."""
    with chromium() as browser:
        return audit(browser, built, site_path)


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
    v = visit("tutorial.html", permissions=["clipboard-read", "clipboard-write"])
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
