"""The built site in a real browser: headless Chromium driven by Playwright.

The site is served on 127.0.0.1 from the session's build, as its host serves
it (conftest.py: ``base_url``, ``visit``). Playwright's Python package drives
the machine's own Chromium (Debian's ``chromium``; ``make test`` installs it
when it can), so nothing is downloaded. Screenshots of every page visited are
kept in ``_build/test-artifacts/browser/``.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from helpers import SITE_PATH

pytestmark = pytest.mark.slow

PAGES = ["tutorial.html", "auto_examples/nn/dynamic_net.html"]


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_cleanly_with_every_image_decoded(visit, path):
    v = visit(path)
    images = v.page.locator("img")
    assert images.count() > 0
    for i in range(images.count()):
        images.nth(i).scroll_into_view_if_needed()
    v.page.wait_for_load_state("networkidle")
    sizes = v.page.eval_on_selector_all(
        "img", "imgs => imgs.map(img => [img.getAttribute('src'), img.complete, img.naturalWidth])"
    )
    undecoded = [src for src, complete, width in sizes if not (complete and width > 0)]
    assert not undecoded, undecoded
    v.screenshot(path.replace("/", "_").removesuffix(".html"))
    assert not v.problems, v.problems


@pytest.mark.parametrize("path", PAGES)
def test_download_links_answer_200(visit, path):
    v = visit(path)
    links = v.page.eval_on_selector_all("a.download", "links => links.map(a => a.href)")
    assert any(link.endswith(".ipynb") for link in links)
    assert any(link.endswith(".py") for link in links)
    for link in links:
        response = v.page.request.get(link)
        assert response.status == 200, link
        assert len(response.body()) > 0, link


@pytest.mark.parametrize(("path", "selector"), [
    ("tutorial.html", ".tutorial-output pre"),
    ("auto_examples/nn/dynamic_net.html", ".sphx-glr-script-out pre"),
])
def test_a_long_output_scrolls_inside_a_block_of_bounded_height(visit, path, selector):
    v = visit(path)
    block = v.page.locator(selector).first
    before = v.page.evaluate("document.documentElement.scrollHeight")
    # Give the block 5,000 lines, as an example printing in a loop would.
    block.evaluate("pre => { pre.textContent = Array.from({length: 5000}, (_, i) => 'line ' + i).join('\\n'); }")
    height, line_height, overflow = block.evaluate(
        "pre => [pre.getBoundingClientRect().height, parseFloat(getComputedStyle(pre).lineHeight), "
        "getComputedStyle(pre).overflowY]"
    )
    assert overflow == "auto"
    assert height < 40 * line_height  # about 30 lines' height, padding included
    assert v.page.evaluate("document.documentElement.scrollHeight") < before + 40 * line_height


def test_the_comparison_table_fits_its_box_without_scrolling_sideways(visit):
    v = visit("auto_examples/comparison/all_nine_methods.html")
    blocks = v.page.locator(".sphx-glr-script-out pre, .example-result pre")
    widths = blocks.evaluate_all("pres => pres.map(pre => [pre.scrollWidth, pre.clientWidth, pre.textContent])")
    tables = [(scroll, client) for scroll, client, text in widths if "final loss" in text]
    assert len(tables) == 2  # at the top of the page, and under the code that prints it
    for scroll, client in tables:
        assert scroll <= client, f"the table needs {scroll} px in a {client} px box"


def test_sidebar_and_next_button_lead_where_they_say(visit):
    v = visit("tutorial.html")
    v.page.locator(".wy-menu-vertical a").get_by_text("nn", exact=True).click()
    v.page.wait_for_url("**/auto_examples/nn/index.html")
    expect(v.page).to_have_title(re.compile(r"^nn\b"))
    # The footer's "Next" button walks on to the gallery's first example.
    v.page.locator("a[rel=next]").first.click()
    v.page.wait_for_url("**/auto_examples/nn/two_layer_net_nn.html")
    expect(v.page).to_have_title(re.compile(r"^PyTorch: nn\b"))
    assert not v.problems, v.problems


def test_narrow_screen_menu_opens_and_closes(visit):
    v = visit("tutorial.html", viewport={"width": 480, "height": 900})
    menu = v.page.locator("nav.wy-nav-side")
    expect(menu).not_to_have_class("wy-nav-side shift")
    v.page.locator("[data-toggle='wy-nav-top']").click()
    expect(menu).to_have_class("wy-nav-side shift")
    v.screenshot("tutorial_narrow_menu_open")
    v.page.locator("[data-toggle='wy-nav-top']").click()
    expect(menu).not_to_have_class("wy-nav-side shift")
    assert not v.problems, v.problems


def test_search_finds_autograd(visit):
    v = visit("search.html?q=autograd")
    results = v.page.locator("#search-results ul.search li")
    # Sphinx adds the results one by one, a few milliseconds apart: wait for
    # the whole list (its summary line), then for the autograd example in it.
    expect(v.page.locator("#search-results p.search-summary")).to_contain_text("found", timeout=15_000)
    expect(results.locator('a[href*="two_layer_net_autograd.html"]').first).to_be_visible(timeout=15_000)
    v.screenshot("search_autograd")
    assert not v.problems, v.problems


def test_copy_button_copies_the_code_without_prompts_or_output(visit, base_url):
    v = visit("auto_examples/nn/dynamic_net.html")  # (every visit may use the clipboard)
    code_blocks = v.page.locator("div.highlight-Python pre")
    output_blocks = v.page.locator(".sphx-glr-script-out pre")
    assert code_blocks.count() > 1 and output_blocks.count() >= 1
    # a button on every code block, none on the output
    assert v.page.locator("div.highlight-Python button.copybtn").count() == code_blocks.count()
    assert v.page.locator(".sphx-glr-script-out button.copybtn").count() == 0
    first = v.page.locator("div.highlight-Python").first
    first.hover()
    first.locator("button.copybtn").click()
    copied = v.page.evaluate("navigator.clipboard.readText()")
    assert copied.strip() == code_blocks.first.inner_text().strip()
    assert "import torch" in copied

    # The console block on the front page: the commands without their "$ ".
    v.page.goto(f"{base_url}/index.html")
    console = v.page.locator("div.highlight-console").first
    console.hover()
    console.locator("button.copybtn").click()
    copied = v.page.evaluate("navigator.clipboard.readText()")
    assert copied.splitlines() == ["python -m pip install -r requirements-examples.txt",
                                 "python examples_tensor/two_layer_net_numpy.py"]
    assert not v.problems, v.problems


def test_colab_button_sits_with_the_downloads(visit):
    v = visit("auto_examples/nn/dynamic_net.html")
    colab = v.page.locator(".sphx-glr-download-colab a")
    expect(colab).to_be_visible()
    expect(colab).to_have_text("Open in Colab")
    assert colab.get_attribute("href").startswith("https://colab.research.google.com/github/")
    colab.scroll_into_view_if_needed()
    v.screenshot("dynamic_net_downloads")
    assert not v.problems, v.problems


def test_a_missing_page_shows_the_404_page_with_its_theme_and_menu(visit):
    v = visit("no/such/page.html")
    expect(v.page).to_have_title(re.compile(r"^Page not found"))
    # Nothing but the page itself is missing: its stylesheets and scripts load.
    v.page.wait_for_load_state("networkidle")
    missing = [p for p in v.problems if "/no/such/page.html" not in p]
    assert not missing, missing
    assert v.page.evaluate("getComputedStyle(document.querySelector('nav.wy-nav-side')).position") == "fixed"
    v.screenshot("404")
    v.page.locator(".wy-menu-vertical a").get_by_text("Learning PyTorch through one small network").first.click()
    v.page.wait_for_url(f"**{SITE_PATH}tutorial.html")
    expect(v.page.locator("h1").first).to_contain_text("Learning PyTorch through one small network")


# -- The Chinese translation -------------------------------------------------------------------


@pytest.mark.parametrize(("word", "page"), [
    ("张量", "auto_examples/tensor/two_layer_net_tensor.html"),  # a title word
    ("梯度", "glossary.html"),  # a word inside sentences, which have no spaces: found by jieba's segmentation
])
def test_chinese_search_finds_words_inside_chinese_text(visit, word, page):
    v = visit(f"zh_CN/search.html?q={word}")
    expect(v.page.locator("#search-results p.search-summary")).to_contain_text("个页面", timeout=15_000)
    results = v.page.locator("#search-results ul.search li")
    expect(results.locator(f'a[href*="{page}"]').first).to_be_visible(timeout=15_000)
    assert not v.problems, v.problems


#: Words a learner types, each several characters long: jieba cuts some of them into
#: shorter words in the pages, and the query must be cut the same way.
CHINESE_TERMS = ["学习率", "损失函数", "计算图", "优化器", "反向传播", "自动求导", "前向传播", "静态图", "动态图",
                 "梯度下降", "神经网络", "链式法则", "加速器", "隐藏层",
                 # not in the site's word list: found only because the query is cut as the pages are
                 "矩阵乘法", "权重矩阵", "初始权重", "数据集", "训练步", "标准正态分布"]


def test_chinese_search_finds_every_page_that_contains_a_compound_term(site, visit, base_url):
    zh = site.translation("zh_CN")
    texts = {page.relative_to(zh.html).as_posix(): zh.soup(page.relative_to(zh.html)).select_one("div[role=main]")
             .get_text() for page in zh.pages() if page.name not in ("search.html", "genindex.html", "404.html")}
    v = None
    for term in CHINESE_TERMS:
        expected = {page for page, text in texts.items() if term in text}
        assert expected, f"no page says {term}: choose another term"
        if v is None:
            v = visit(f"zh_CN/search.html?q={term}")
        else:
            v.page.goto(f"{base_url}/zh_CN/search.html?q={term}")
        expect(v.page.locator("#search-results p.search-summary")).to_contain_text("个页面", timeout=15_000)
        v.page.wait_for_load_state("networkidle")  # the result pages it fetched for their summaries
        found = {href.split("?", 1)[0].split("#", 1)[0] for href in
                 v.page.locator("#search-results ul.search li a").evaluate_all("links => links.map(a => a.getAttribute('href'))")}
        assert expected <= found, f"{term}: not found on {sorted(expected - found)}"
    assert not v.problems, v.problems
