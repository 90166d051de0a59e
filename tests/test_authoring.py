"""What an author uses: one-example builds, live reload, API links, inventories.

The make targets are run as documented (``make html EXAMPLE=...``,
``make livehtml``) with the project's Makefile in a copy of the built fixture
site (two numpy examples), with this test session's Python environment
standing in for ``.venv``.
"""

from __future__ import annotations

import functools
import http.client
import http.server
import os
import runpy
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup

from helpers import FIXTURE, ROOT, build_env, build_site, no_network, sitemap

# Where the fixture site's conf.py says numpy's documentation is.
NUMPY_DOCS = runpy.run_path(str(FIXTURE / "conf.py"))["api_docs"]["numpy"]


def with_makefile(project: Path) -> Path:
    """The built fixture site plus what the Makefile needs to run in it."""
    shutil.copy2(ROOT / "Makefile", project / "Makefile")
    shutil.copytree(ROOT / "tools", project / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    return project


def make_command(*args: str) -> list[str]:
    """``make ARGS`` using this Python's environment (already up to date: nothing is installed)."""
    return ["make", f"VIRTUAL_ENV={sys.prefix}", *args]


def generated_pages(project: Path) -> dict[str, float]:
    """Modification time of every example page sphinx-gallery generated (not the galleries' own)."""
    return {str(p.relative_to(project)): p.stat().st_mtime_ns
            for p in (project / "docs" / "auto_examples").glob("*/*.rst")
            if p.stem not in {"index", "sg_execution_times"}}


def printed(project: Path, page: str) -> str:
    soup = BeautifulSoup((project / "_build" / "html" / page).read_text(), "html.parser")
    return "\n".join(pre.get_text() for pre in soup.select(".sphx-glr-script-out pre"))


def page_soup(project: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((project / "_build" / "html" / page).read_text(), "html.parser")


def code(project: Path, page: str) -> str:
    soup = BeautifulSoup((project / "_build" / "html" / page).read_text(), "html.parser")
    return "\n".join(pre.get_text() for pre in soup.select("div.highlight-Python pre"))


# -- make html EXAMPLE=... --------------------------------------------------------------


def test_make_html_example_runs_only_that_example(built_fixture):
    project = with_makefile(built_fixture)
    # A third example, built once, that the build below leaves unchanged.
    shutil.copy2(project / "examples_line" / "fit_line.py", project / "examples_line" / "fit_line_copy.py")
    make = [*no_network(), *make_command("html")]
    result = subprocess.run(make, cwd=project, env=build_env(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    full_sitemap = sitemap(project / "_build" / "html")
    for example in ("examples_line/fit_line.py", "examples_curve/fit_curve.py"):
        with open(project / example, "a") as f:
            f.write(f'\nprint("changed: {Path(example).stem}")\n')

    result = subprocess.run([*make, "EXAMPLE=fit_line"], cwd=project, env=build_env(), capture_output=True,
                            text=True, timeout=600)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-5000:]
    assert "running only fit_line.py (EXAMPLE=fit_line)" in log
    assert "changed: fit_line" in printed(project, "auto_examples/line/fit_line.html")
    # The other changed example is rendered with its new code, but was not run.
    curve_page = "auto_examples/curve/fit_curve.html"
    assert 'print("changed: fit_curve")' in code(project, curve_page)
    assert "changed: fit_curve" not in printed(project, curve_page)
    # An unchanged example keeps the output of its last run.
    assert "step 100  loss" in printed(project, "auto_examples/line/fit_line_copy.html")
    # A page that leads with its result (example-result) says it has none yet, and builds.
    result_box = page_soup(project, curve_page).select_one(".example-result")
    assert "has not run in this build yet" in result_box.get_text() and not result_box.select("img")
    # This build rewrote a few pages; the sitemap still lists them all.
    assert sitemap(project / "_build" / "html") == full_sitemap

    # The next full build runs what was left out.
    result = subprocess.run(make, cwd=project, env=build_env(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    assert "changed: fit_curve" in printed(project, curve_page)
    result_box = page_soup(project, curve_page).select_one(".example-result")
    assert result_box.select("img") and "final loss" in result_box.get_text()


def test_make_html_example_with_an_unknown_name_lists_the_examples(built_fixture):
    project = with_makefile(built_fixture)
    before = generated_pages(project)
    result = subprocess.run([*no_network(), *make_command("html", "EXAMPLE=no_such_example")],
                            cwd=project, env=build_env(), capture_output=True, text=True, timeout=600)
    assert result.returncode != 0
    assert "EXAMPLE=no_such_example names no example. The examples are: " in result.stderr
    assert "fit_line" in result.stderr and "fit_curve" in result.stderr
    assert generated_pages(project) == before


# -- make livehtml ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(fetch, condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = fetch()
            if condition(last):
                return last
        except (OSError, http.client.HTTPException) as error:  # not serving yet, or cut off by a rebuild
            last = error
        time.sleep(0.5)
    pytest.fail(f"gave up waiting for {what} after {timeout} s; last: {str(last)[:300]}")


def test_make_livehtml_serves_and_rebuilds_running_only_a_changed_example(built_fixture, tmp_path):
    project = with_makefile(built_fixture)
    port = free_port()
    log = open(tmp_path / "livehtml.log", "w")
    # Not under no_network(): the test has to reach the server.
    server = subprocess.Popen(make_command("livehtml", f"PORT={port}"), cwd=project, env=build_env(),
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def get(page: str) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/{page}", timeout=10) as response:
            return response.read().decode()

    try:
        wait_for(lambda: get("tutorial.html"), lambda html: "The lesson" in html, 120, "the first page")
        untouched = generated_pages(project)

        # A page changes: it is rebuilt, no example runs.
        with open(project / "docs" / "tutorial.rst", "a") as f:
            f.write("\nA sentence added while the server runs.\n")
        wait_for(lambda: get("tutorial.html"), lambda html: "added while the server runs" in html,
                 120, "the edited page")
        assert generated_pages(project) == untouched

        # An example changes: it alone runs again, and its page shows the new output.
        with open(project / "examples_line" / "fit_line.py", "a") as f:
            f.write('\nprint("printed after an edit")\n')
        wait_for(lambda: get("auto_examples/line/fit_line.html"),
                 lambda html: "printed after an edit" in html, 180, "the edited example")
        changed = {page for page, mtime in generated_pages(project).items() if untouched[page] != mtime}
        assert changed == {"docs/auto_examples/line/fit_line.rst"}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
    assert f"127.0.0.1:{port}" in (tmp_path / "livehtml.log").read_text()


# -- API links -------------------------------------------------------------------------


def write_inventory(path: Path, project: str, objects: list[tuple[str, str, str]]) -> None:
    """An intersphinx inventory written by Sphinx's own writer.

    ``objects`` are (name, py object type, page) triples; each page's anchor
    is the object's name, as autodoc makes it.
    """
    from sphinx.util.inventory import InventoryFile

    class Domain:
        name = "py"

        def get_objects(self):
            return [(name, name, kind, page, name, 1) for name, kind, page in objects]

    env = SimpleNamespace(config=SimpleNamespace(project=project, version="1"),
                          domains=SimpleNamespace(sorted=lambda: [Domain()]))
    builder = SimpleNamespace(get_target_uri=lambda page: f"{page}.html")
    InventoryFile.dump(path, env, builder)


def test_a_cached_inventory_links_names_in_the_code_to_the_api_docs(built_fixture, tmp_path):
    cache = tmp_path / "inventories"
    cache.mkdir()
    write_inventory(cache / "numpy.inv", "numpy", [
        ("numpy.mean", "function", "reference/generated/numpy.mean"),
        ("numpy.random.default_rng", "function", "reference/random/generator"),
    ])
    result = build_site(built_fixture, env={"API_INVENTORIES": str(cache)})
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-5000:]
    # numpy is no longer among the projects without an inventory
    assert "API links: no cached inventory for python in " in log

    html = built_fixture / "_build" / "html"
    page = BeautifulSoup((html / "auto_examples/line/fit_line.html").read_text(), "html.parser")
    mean = [a for a in page.select("div.highlight-Python pre a") if a.get_text() == "np.mean"]
    assert mean, "np.mean in the code is not a link"
    assert {a["href"] for a in mean} == {f"{NUMPY_DOCS}reference/generated/numpy.mean.html#numpy.mean"}
    # The prose's :func: role links through the same inventory.
    prose = [a for a in page.select("p a.reference.external") if a.get_text() == "numpy.mean()"]
    assert [a["href"] for a in prose] == [f"{NUMPY_DOCS}reference/generated/numpy.mean.html#numpy.mean"]


# -- make inventories --------------------------------------------------------------------


def test_fetch_inventories_saves_what_sphinx_can_read_and_reports_the_rest(tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    write_inventory(served / "objects.inv", "torch", [("torch.randn", "function", "generated/torch.randn")])
    (served / "page.html").write_text("<html>Not an inventory</html>")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(served)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    cache = tmp_path / "cache"
    try:
        result = subprocess.run(
            [sys.executable, str(ROOT / "tools" / "fetch_inventories.py"), "--dest", str(cache),
             f"torch={base}/objects.inv", f"broken={base}/page.html", f"absent={base}/missing.inv"],
            capture_output=True, text=True, timeout=120)
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 1
    assert "torch: 1 objects from" in result.stdout
    assert "broken: could not fetch" in result.stderr and "absent: could not fetch" in result.stderr
    assert sorted(p.name for p in cache.iterdir()) == ["torch.inv"]
    assert (cache / "torch.inv").read_bytes() == (served / "objects.inv").read_bytes()
