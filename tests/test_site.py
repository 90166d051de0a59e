"""The built site: every example page, the narrative page, galleries, downloads.

All tests here share the one session-scoped build of the ``site`` fixture.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from tutorial_site.directives import example_cells

from helpers import (
    EXAMPLES,
    GALLERY,
    LANGUAGES,
    REUSED_CACHE,
    ROOT,
    SITE_PATH,
    SITE_URL,
    TUTORIAL,
    broken_links,
    code_text,
    example_source,
    fingerprint_differences,
    no_network,
    site_fingerprint,
    sitemap,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def resolve(site, page, url):
    """The file a relative link on ``page`` points to."""
    target = urlsplit(url).path
    return site.html / posixpath.normpath(posixpath.join(posixpath.dirname(page), target))


def heading_text(tag):
    """A heading's text, without the theme's permalink glyph."""
    return "".join(
        text for text in tag.find_all(string=True) if not text.find_parent("a", class_="headerlink")
    ).strip()


# -- Every example page ------------------------------------------------------


@pytest.mark.parametrize(("folder", "filename", "title"), TUTORIAL)
def test_example_page_has_code_output_plot_and_downloads(site, folder, filename, title):
    stem = filename.removesuffix(".py")
    page = f"{GALLERY[folder]}/{stem}.html"
    soup = site.soup(page)

    assert heading_text(soup.find("h1")) == title

    code = code_text(soup)
    assert "range(500)" in code
    assert "losses" in code

    output = code_text(soup, ".sphx-glr-script-out pre")
    assert "step 500  loss" in output, "the printed losses are missing"
    assert "Traceback" not in output

    plots = soup.select("img.sphx-glr-single-img")
    assert plots, "no loss plot on the page"
    for img in plots:
        assert resolve(site, page, img["src"]).read_bytes()[:8] == PNG_SIGNATURE

    downloads = {
        posixpath.basename(a["href"]): resolve(site, page, a["href"])
        for a in soup.select("a.reference.download")
    }
    script, notebook = downloads[filename], downloads[f"{stem}.ipynb"]
    assert script.read_text(encoding="utf-8") == example_source(folder, filename)
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    assert nb["nbformat"] == 4
    assert any("range(500)" in "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


def page_downloads(site, page):
    soup = site.soup(page)
    return {posixpath.basename(a["href"]): resolve(site, page, a["href"])
            for a in soup.select("a.reference.download")}


def test_comparison_page_shows_the_nine_curves_and_the_table(site):
    page = "auto_examples/comparison/all_nine_methods.html"
    soup = site.soup(page)
    assert heading_text(soup.find("h1")) == "All nine methods, side by side"
    output = code_text(soup, ".sphx-glr-script-out pre")
    assert "Traceback" not in output
    table = output.splitlines()
    header = table.index(next(line for line in table if line.startswith("method")))
    rows = table[header + 1: header + 10]
    assert [row.split("  ")[0].strip() for row in rows] == [
        "numpy", "tensors", "autograd", "custom Function", "TensorFlow graph",
        "nn", "optim", "custom Module", "dynamic net"]
    assert all(row.endswith(" ms") for row in rows)
    gap = re.search(r"largest gap between them: (\S+) of the starting loss", output)
    assert float(gap.group(1)) < 1e-5
    (plot,) = soup.select("img.sphx-glr-single-img")
    assert resolve(site, page, plot["src"]).read_bytes()[:8] == PNG_SIGNATURE
    assert {"all_nine_methods.py", "all_nine_methods.ipynb"} <= set(page_downloads(site, page))


def test_comparison_page_leads_with_its_figure_and_table(site):
    page = "auto_examples/comparison/all_nine_methods.html"
    soup = site.soup(page)
    (result,) = soup.select(".example-result")
    first_code = soup.select_one("div.highlight-Python")
    assert result in first_code.find_all_previous(class_="example-result")
    # The very figure and table that the code further down produced in this build.
    (figure,) = result.select("img")
    (plot,) = soup.select("img.sphx-glr-single-img")
    assert resolve(site, page, figure["src"]) == resolve(site, page, plot["src"])
    assert figure["alt"] == plot["alt"] and "log scale" in figure["alt"]
    (table,) = result.select("pre")
    assert table.get_text().startswith("method") and table.get_text() in code_text(soup, ".sphx-glr-script-out pre")
    # Before the result, nothing but the page's title and introduction.
    assert not result.find_all_previous("pre")


def test_speedup_page_shows_the_cpu_figures_and_says_what_it_ran_on(site):
    page = "auto_examples/comparison/accelerator_speedup.html"
    soup = site.soup(page)
    assert heading_text(soup.find("h1")) == "How much faster on an accelerator?"
    output = code_text(soup, ".sphx-glr-script-out pre")
    assert "Traceback" not in output and "Warning" not in output
    import torch

    if torch.accelerator.is_available():
        assert "Accelerator:" in output
    else:
        assert "No accelerator on this machine: only the CPU figures below." in output
    sizes = re.findall(r"^\s*(\d+) x (\d+)\s+([\d.]+) ms\s+([\d.]+) ms", output, re.M)
    assert [(n, h) for n, h, _, _ in sizes] == [("64", "100"), ("256", "256"), ("1024", "1024"), ("4096", "2048")]
    assert all(float(numpy_ms) > 0 and float(torch_ms) > 0 for _, _, numpy_ms, torch_ms in sizes)
    (plot,) = soup.select("img.sphx-glr-single-img")
    assert resolve(site, page, plot["src"]).read_bytes()[:8] == PNG_SIGNATURE


@pytest.mark.parametrize("folder", list(GALLERY))
def test_gallery_lists_its_examples_in_tutorial_order(site, folder):
    soup = site.soup(f"{GALLERY[folder]}/index.html")
    shown = [a["href"] for a in soup.select(".sphx-glr-thumbcontainer a.reference.internal")]
    expected = [f"{f.removesuffix('.py')}.html" for d, f, _ in EXAMPLES if d == folder]
    assert [posixpath.basename(urlsplit(h).path) for h in shown] == expected


def test_galleries_come_in_order_tensor_autograd_nn_comparison(site):
    soup = site.soup("index.html")
    captions = [a.get_text() for a in soup.select(".wy-menu-vertical a.reference.internal")]
    order = [captions.index(name) for name in ("Tensors", "Autograd", "nn", "Comparison")]
    assert order == sorted(order)


# -- The narrative page ------------------------------------------------------


def tutorial_sections(site):
    soup = site.soup("tutorial.html")
    titles = {title for _, _, title in TUTORIAL}
    return [h.find_parent("section") for h in soup.select("h3") if heading_text(h) in titles]


def test_narrative_page_has_the_nine_sections_in_order(site):
    found = [heading_text(s.find("h3")) for s in tutorial_sections(site)]
    assert found == [title for _, _, title in TUTORIAL]


@pytest.mark.parametrize(("folder", "filename", "title"), TUTORIAL)
def test_narrative_section_embeds_code_output_and_plot(site, folder, filename, title):
    stem = filename.removesuffix(".py")
    (section,) = [s for s in tutorial_sections(site) if heading_text(s.find("h3")) == title]
    example = section.select_one("div.tutorial-example")
    assert example is not None

    # The code comes from the example file, without its title docstring...
    assert f"{folder}/{filename}" in example.select_one(".tutorial-example-source").get_text()
    code = code_text(example)
    source = example_source(folder, filename)
    docstring_end = source.index('"""', 3) + 3
    intro = source[3:docstring_end - 3].strip().splitlines()
    assert code.startswith("import") or code.startswith("from")
    assert not any(line in code for line in intro if len(line) > 20)
    for line in source[docstring_end:].splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            assert line in code, f"code line missing from the page: {line!r}"
    # ...with the explanations of its text cells between the code, their
    # titles as rubrics, and the figure's code folded away.
    words = " ".join(example.get_text().split()).translate(str.maketrans("\u2018\u2019\u201c\u201d", "''\"\""))
    for kind, text in example_cells(ROOT / folder / filename):
        if kind == "text":
            lines = [line for line in text.splitlines() if line.strip() and not re.fullmatch(r"[-=~^]{3,}", line)]
            titled = len(lines) < len(text.strip().splitlines())
            sample = re.sub(r":\w+:|[`*]|\s*<[\w.]+>", "", lines[1] if titled and len(lines) > 1 else lines[0])
            assert " ".join(sample.split()) in words, f"text cell missing: {sample!r}"
    folds = {f.summary.get_text(): code_text(f) for f in example.select("details.tutorial-fold")}
    assert "plt.show()" in folds["How the figure is drawn"]
    if "torch.accelerator" in source and filename == "two_layer_net_tensor.py":
        # Shown open once, where tensors are introduced...
        assert "How the device is chosen" not in folds
        assert any("torch.accelerator" in pre.get_text() for pre in example.select("div.highlight-python pre"))
    elif "torch.accelerator" in source:
        # ...and folded in every program after it.
        assert "torch.accelerator" in folds["How the device is chosen"]
    assert not any("plt." in pre.get_text() for pre in example.select("div.highlight-python pre")
                   if not pre.find_parent("details"))

    # The output is this build's output: the same text as on the example page.
    output = code_text(example, ".tutorial-output pre").strip("\n")
    page = site.soup(f"{GALLERY[folder]}/{stem}.html")
    page_blocks = [pre.get_text().strip("\n") for pre in page.select(".sphx-glr-script-out pre")]
    assert "step 500  loss" in output
    assert output == "\n".join(block for block in page_blocks if block)

    (plot,) = example.select("img.tutorial-plot")
    assert posixpath.basename(plot["src"]) == f"sphx_glr_{stem}_001.png"
    assert resolve(site, "tutorial.html", plot["src"]).read_bytes()[:8] == PNG_SIGNATURE

    links = [a["href"] for a in example.select(".tutorial-example-links a.internal")]
    assert any(urlsplit(h).path == f"{GALLERY[folder]}/{stem}.html" for h in links)
    assert {posixpath.basename(h) for h in links} >= {filename, f"{stem}.ipynb"}
    for href in links:
        assert resolve(site, "tutorial.html", href).is_file()


def test_narrative_page_ends_with_thumbnails_grouped_by_gallery(site):
    soup = site.soup("tutorial.html")
    (all_examples,) = [h.find_parent("section") for h in soup.select("h2") if heading_text(h) == "All examples"]
    groups = all_examples.select("section")
    assert [heading_text(g.find("h3")) for g in groups] == ["Tensors", "Autograd", "nn", "Comparison"]
    for group, folder in zip(groups, GALLERY):
        shown = [posixpath.basename(urlsplit(a["href"]).path)
                 for a in group.select(".sphx-glr-thumbcontainer a.reference.internal")]
        assert shown == [f"{f.removesuffix('.py')}.html" for d, f, _ in EXAMPLES if d == folder]
        for img in group.select(".sphx-glr-thumbcontainer img"):
            assert resolve(site, "tutorial.html", img["src"]).read_bytes()[:8] == PNG_SIGNATURE


# -- Site-wide promises --------------------------------------------------------


def test_archive_holds_every_script_and_notebook(site):
    soup = site.soup("index.html")
    (link,) = [a for a in soup.select("a.reference.download") if a["href"].endswith(".zip")]
    with zipfile.ZipFile(resolve(site, "index.html", link["href"])) as zf:
        names = set(zf.namelist())
        for folder, filename, _ in EXAMPLES:
            assert zf.read(f"{folder}/{filename}").decode() == example_source(folder, filename)
            json.loads(zf.read(f"{folder}/{filename.removesuffix('.py')}.ipynb"))
        # What they need to run, at the top, as the landing page says.
        assert zf.read("requirements-examples.txt") == (ROOT / "requirements-examples.txt").read_bytes()
    assert len(names) == 2 * len(EXAMPLES) + 1


def test_execution_times_page_lists_every_example(site):
    soup = site.soup("sg_execution_times.html")
    rows = soup.select("table tbody tr")
    listed = " ".join(row.get_text() for row in rows)
    for _, filename, _ in EXAMPLES:
        assert filename in listed
    assert len(rows) == len(EXAMPLES)


# Tags that make a browser fetch something when the page loads.
LOADED = [("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"),
          ("source", "src"), ("video", "src"), ("audio", "src"), ("embed", "src")]


def test_no_page_loads_anything_from_another_host(site):
    remote = []
    for page in site.pages():
        soup = site.soup(page.relative_to(site.html))
        for tag, attr in LOADED:
            for element in soup.find_all(tag):
                url = element.get(attr, "")
                if tag == "link" and {"canonical", "alternate"} & set(element.get("rel", [])):
                    continue  # names the page's addresses; loads nothing
                if urlsplit(url).netloc or url.startswith("//"):
                    remote.append(f"{page.relative_to(site.html)}: <{tag} {attr}={url}>")
        # @import or url() in inline styles
        for style in soup.find_all("style"):
            if "://" in style.get_text():
                remote.append(f"{page.relative_to(site.html)}: <style> with a remote URL")
    assert not remote, "\n".join(remote)
    # the check above looked at the whole site: the two pages, the galleries, the examples
    assert len(site.pages()) >= 2 + len(GALLERY) + len(EXAMPLES)


def test_no_stylesheet_loads_a_font_or_image_from_another_host(site):
    remote = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])\s*(?:[a-z]+:)?//""", re.I)
    stylesheets = sorted(site.html.rglob("*.css"))
    assert stylesheets
    offenders = [
        str(css.relative_to(site.html))
        for css in stylesheets
        if remote.search(css.read_text(encoding="utf-8", errors="replace"))
    ]
    assert not offenders, offenders


def test_every_internal_link_resolves_to_a_file(site):
    assert not broken_links(site.html)


def test_no_path_of_the_build_machine_appears_in_what_is_published(site):
    machine_paths = {
        str(site.project),  # where this build ran
        str(ROOT),  # the checkout
        sys.prefix,  # the virtual environment
        sys.base_prefix,  # the Python it was made from
        str(Path.home()) + os.sep,
    }
    texts = {}
    for path in site.html.rglob("*"):
        if path.suffix in {".html", ".ipynb", ".py", ".txt", ".js", ".json"}:
            texts[str(path.relative_to(site.html))] = path.read_text(encoding="utf-8", errors="replace")
        elif path.suffix == ".zip":
            with zipfile.ZipFile(path) as zf:
                for name in zf.namelist():
                    texts[f"{path.relative_to(site.html)}:{name}"] = zf.read(name).decode("utf-8", "replace")
    assert any(name.endswith(".ipynb") for name in texts)
    leaks = [f"{name}: {p}" for name, text in texts.items() for p in machine_paths if p in text]
    assert not leaks, "\n".join(leaks)


def test_each_build_ran_every_example_in_a_process_of_its_own(site, second_site):
    workers = min(os.cpu_count() or 1, len(EXAMPLES))
    assert f"running {len(EXAMPLES)} examples, each in a process of its own, 1 at a time" in second_site.log
    if REUSED_CACHE:
        assert f"published {len(EXAMPLES)} examples from the execution cache" in site.log
        pytest.skip("the session's site was published from results handed to the tests (EXECUTION_CACHE)")
    assert f"running {len(EXAMPLES)} examples, each in a process of its own, {workers} at a time" in site.log
    assert f"running {len(EXAMPLES)} examples, each in a process of its own, 1 at a time" in second_site.log


def test_workers_and_one_at_a_time_produce_the_same_pages_notebooks_and_figures(site, second_site):
    """What the examples produced, byte for byte but for measured times."""
    def executed(s):
        return {name: digest for name, digest in site_fingerprint(s.project).items()
                if name.startswith("docs/auto_examples/")}

    first = executed(site)
    assert any(name.endswith(".ipynb") for name in first) and any(name.endswith(".png") for name in first)
    assert not fingerprint_differences(executed(second_site), first)


@pytest.mark.parametrize(("folder", "filename", "title"), TUTORIAL)
def test_two_builds_print_the_same_and_write_the_same_notebooks(site, second_site, folder, filename, title):
    stem = filename.removesuffix(".py")
    page = f"{GALLERY[folder]}/{stem}.html"
    printed = [code_text(s.soup(page), ".sphx-glr-script-out pre") for s in (site, second_site)]
    assert "step 500  loss" in printed[0]
    assert printed[0] == printed[1]
    notebooks = [s.project / "docs" / GALLERY[folder] / f"{stem}.ipynb" for s in (site, second_site)]
    assert notebooks[0].read_bytes() == notebooks[1].read_bytes()


def test_the_site_was_built_without_network(site):
    """The site fixture builds under no_network(); prove that really is offline."""
    if not no_network():
        pytest.skip("this machine cannot take the network away from a program (unshare -n)")
    # Only the loopback interface exists where the build ran: no route out.
    # (Listing interfaces sends nothing anywhere.)
    probe = "import socket; print(sorted(name for _, name in socket.if_nameindex()))"
    result = subprocess.run([*no_network(), sys.executable, "-c", probe],
                            capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "['lo']"


# -- Hosting: the 404 page, the sitemap, API links ------------------------------------

# Pages of the site that no document makes.
NOT_DOCUMENTS = {"search.html", "genindex.html", "404.html"}


def test_sitemap_lists_every_page_under_the_site_address(site):
    pages = [str(p.relative_to(site.html)) for p in site.pages()]
    documents = sorted(p for p in pages if p not in NOT_DOCUMENTS)
    # index, tutorial, glossary, times; per gallery: its index, its times, its examples
    assert len(documents) == 4 + 2 * len(GALLERY) + len(EXAMPLES)
    english = [url for url in sitemap(site.html) if not url.startswith(tuple(SITE_URL + f"{l}/" for l in LANGUAGES))]
    assert english == [SITE_URL + page for page in documents]  # (test_translations: the other languages)


def test_404_page_links_everything_from_the_site_address(site):
    soup = site.soup("404.html")
    assert soup.title.get_text().startswith("Page not found")
    assert soup.select_one("h1").contents[0] == "Page not found"
    urls = [e.get("href") or e.get("src") for e in soup.find_all(["link", "script", "img", "a"])]
    local = [u for u in urls if u and not urlsplit(u).scheme and not u.startswith("#")]
    assert any(u.startswith(SITE_PATH + "_static/") for u in local)
    assert SITE_PATH + "tutorial.html" in local
    assert all(u.startswith(SITE_PATH) for u in local), local
    # ...and each of them exists (broken_links reads absolute paths below SITE_PATH)
    assert not [b for b in broken_links(site.html) if b.startswith("404.html")]


def test_without_an_address_there_is_no_sitemap_and_404_links_from_the_root(second_site):
    assert not (second_site.html / "sitemap.xml").exists()
    soup = second_site.soup("404.html")
    stylesheets = [link["href"] for link in soup.select("link[rel=stylesheet]")]
    assert stylesheets and all(href.startswith("/_static/") for href in stylesheets)
    assert not soup.select("link[rel=canonical]")
    assert not broken_links(second_site.html, site_path="/")


def test_pages_name_their_canonical_address(site):
    canonical = site.soup("auto_examples/nn/dynamic_net.html").select_one("link[rel=canonical]")
    assert canonical["href"] == SITE_URL + "auto_examples/nn/dynamic_net.html"


def test_with_no_cached_inventory_the_build_says_so_once_and_passes(site):
    # The site fixture builds with -W, from a copy without docs/_inventories.
    lines = [line for line in site.log.splitlines() if line.startswith("API links:")]
    assert lines == (1 + len(LANGUAGES)) * [  # once per build: English, then each translation
        "API links: no cached inventory for python, numpy, torch, matplotlib, tensorflow in "
        "docs/_inventories, so their names are not linked (run `make inventories` where there is a network)"
    ]
    assert "loading intersphinx inventory" not in site.log


def test_every_page_has_the_copy_button_script(site):
    for page in site.pages():
        scripts = [s.get("src", "") for s in site.soup(page.relative_to(site.html)).find_all("script")]
        assert any(re.search(r"(^|/)_static/copybutton\.js", src) for src in scripts), page
    script = (site.html / "_static" / "copybutton.js").read_text()
    # output blocks get no button
    assert "div:not(.sphx-glr-script-out):not(.tutorial-output) > div.highlight pre" in script


# The site's published pages, as they were before the extension became one
# package and conf.py moved into docs/: a change of layout must not move a URL.
PUBLISHED_PAGES = [
    "404.html", "genindex.html", "index.html", "search.html", "sg_execution_times.html", "tutorial.html",
    "glossary.html",  # added with the translation (a glossary in both languages)
    *(f"auto_examples/{gallery}/{page}.html"
      for gallery, pages in {
          "tensor": ["two_layer_net_numpy", "two_layer_net_tensor"],
          "autograd": ["tf_two_layer_net", "two_layer_net_autograd", "two_layer_net_custom_function"],
          "nn": ["dynamic_net", "two_layer_net_module", "two_layer_net_nn", "two_layer_net_optim"],
          "comparison": ["accelerator_speedup", "all_nine_methods"],
      }.items()
      for page in [*pages, "index", "sg_execution_times"]),
]


def test_every_published_address_stays_the_same(site):
    pages = sorted(page.relative_to(site.html).as_posix() for page in site.pages())
    assert pages == sorted(PUBLISHED_PAGES)


def test_the_landing_page_tells_a_visitor_how_to_run_the_examples_and_mentions_colab_only_with_its_links(
        site, second_site):
    soup = site.soup("index.html")
    (link,) = [a for a in soup.select("a.reference.download") if a["href"].endswith("requirements-examples.txt")]
    assert resolve(site, "index.html", link["href"]).read_bytes() == (ROOT / "requirements-examples.txt").read_bytes()
    assert "pytorch.org/get-started/locally" in str(soup)
    # The hosted build (REPOSITORY_URL set) has "Open in Colab" links and says so;
    # a local build has neither.
    for built, hosted in ((site, True), (second_site, False)):
        text = built.soup("index.html").get_text()
        links = built.soup("auto_examples/nn/dynamic_net.html").select(".sphx-glr-download-colab a")
        assert ("Open in Colab opens its notebook" in text) == hosted == bool(links)


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_every_example_page_links_back_to_its_section_of_the_tutorial(site, language):
    built = site if language == "en" else site.translation(language)
    tutorial = built.soup("tutorial.html")
    for folder, filename, _ in EXAMPLES:
        page = f"auto_examples/{folder.removeprefix('examples_')}/{filename.removesuffix('.py')}.html"
        (link,) = built.soup(page).select("p.tutorial-backlink a")
        path, section_id = link["href"].split("#")
        assert resolve(built, page, path) == built.html / "tutorial.html", page
        section = tutorial.find(id=section_id)
        assert section is not None and section.name == "section", (page, section_id)
        # The section that shows the program, or, for a comparison page, the one that links to it.
        assert section.select(f'a[href*="{filename.removesuffix(".py")}.html"]'), (page, section_id)
        assert link.get_text() == heading_text(section.find(["h2", "h3"])), page


def run_record(site, folder: str, filename: str) -> tuple[Path, dict]:
    """The record of where, when and with what an example of the session build ran."""
    path = (site.project / "docs" / "auto_examples" / folder.removeprefix("examples_") / ".example_runs"
            / f"{filename.removesuffix('.py')}.ran.json")
    return path, json.loads(path.read_text(encoding="utf-8"))


def says_the_run(line, record: dict, language: str) -> None:
    """``line`` (a provenance paragraph) names the record's machine, versions, Python and day, in ``language``."""
    text = " ".join(line.get_text().split())
    ran = record["ran_on"]
    assert text.startswith("Ran on " if language == "en" else "运行于 "), text
    assert ran["cpu"] in text and ran["date"][:10] in text and f"Python {ran['python'].split()[-1]}" in text, text
    assert ("2 cores" if language == "en" else "2 核").replace("2", str(ran["cores"])) in text, text
    assert record["imports"] and all(f"{name} {version}" in text for name, version in record["imports"]), text


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_every_output_says_where_when_and_with_what_it_ran(site, language):
    """Under each example's output, on its page and on the tutorial: the run's machine, versions and day,
    and the whole record one click away."""
    built = site if language == "en" else site.translation(language)
    tutorial = built.soup("tutorial.html")
    for folder, filename, _ in EXAMPLES:
        path, record = run_record(site, folder, filename)
        page = f"auto_examples/{folder.removeprefix('examples_')}/{filename.removesuffix('.py')}.html"
        (line,) = built.soup(page).select("p.example-provenance")
        says_the_run(line, record, language)
        (link,) = line.select("a")
        assert resolve(built, page, link["href"]).read_bytes() == path.read_bytes()
    embedded = tutorial.select("div.tutorial-example")
    assert len(embedded) == len(TUTORIAL)
    for container, (folder, filename, _) in zip(embedded, TUTORIAL):
        (line,) = container.select("p.example-provenance")
        says_the_run(line, run_record(site, folder, filename)[1], language)
        assert line.find_previous_sibling() is not None  # under the output and figures it speaks for


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_execution_times_page_names_where_and_when_each_example_ran(site, language):
    built = site if language == "en" else site.translation(language)
    soup = built.soup("sg_execution_times.html")
    header = [cell.get_text(strip=True) for cell in soup.select("table thead th")]
    assert header[-1] == ("Ran on" if language == "en" else "运行于")
    rows = soup.select("table tbody tr")
    assert len(rows) == len(EXAMPLES)
    for folder, filename, _ in EXAMPLES:
        (row,) = [row for row in rows if filename in row.get_text()]
        ran = run_record(site, folder, filename)[1]["ran_on"]
        where = row.select("td")[-1].get_text(strip=True)
        assert ran["cpu"] in where and where.endswith(ran["date"][:10]), where


def test_every_published_address_is_the_one_the_site_has_always_had(site):
    # Every page and download of both languages, as tests/published_addresses.txt lists them
    # (a download's folder is a hash of its path in the sources, so moving a file moves its address).
    # A change of address is a change for every visitor's bookmark and every link from elsewhere:
    # if one is meant, update the list in the same commit.
    listed = (ROOT / "tests" / "published_addresses.txt").read_text(encoding="utf-8").split()
    built = sorted(path.relative_to(site.html).as_posix() for path in site.html.rglob("*")
                   if path.is_file() and (path.suffix == ".html" or "_downloads" in path.parts))
    assert built == listed, "\n".join(
        [f"new: {a}" for a in sorted(set(built) - set(listed))] + [f"gone: {a}" for a in sorted(set(listed) - set(built))])
