"""What an author uses: one-example builds, live reload, API links, inventories.

The make targets are run as documented (``make html EXAMPLE=...``,
``make livehtml``) in a copy of the built project, with this test session's
Python environment standing in for ``.venv``.
"""

from __future__ import annotations

import functools
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

from conftest import ROOT, build_env, build_site, no_network, sitemap

# Where conf.py says torch's documentation is.
TORCH_DOCS = runpy.run_path(str(ROOT / "conf.py"))["api_docs"]["torch"]


def with_makefile(project: Path) -> Path:
    """The built project plus what the Makefile needs to run in it."""
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


def test_make_html_example_runs_only_that_example(site, built_project):
    project = with_makefile(built_project)
    for example in ("examples_nn/dynamic_net.py", "examples_tensor/two_layer_net_numpy.py",
                    "examples_comparison/all_nine_methods.py"):
        with open(project / example, "a") as f:
            f.write(f'\nprint("changed: {Path(example).stem}")\n')

    result = subprocess.run([*no_network(), *make_command("html", "EXAMPLE=dynamic_net")],
                            cwd=project, env=build_env(), capture_output=True, text=True, timeout=600)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-5000:]
    assert "running only dynamic_net.py (EXAMPLE=dynamic_net)" in log
    assert "changed: dynamic_net" in printed(project, "auto_examples/nn/dynamic_net.html")
    # The other changed example is rendered with its new code, but was not run.
    numpy_page = "auto_examples/tensor/two_layer_net_numpy.html"
    assert 'print("changed: two_layer_net_numpy")' in code(project, numpy_page)
    assert "changed: two_layer_net_numpy" not in printed(project, numpy_page)
    # An unchanged example keeps the output of its last run.
    assert "step 500  loss" in printed(project, "auto_examples/nn/two_layer_net_nn.html")
    # A page that leads with its result (example-result) says it has none yet, and builds.
    comparison = "auto_examples/comparison/all_nine_methods.html"
    result_box = page_soup(project, comparison).select_one(".example-result")
    assert "has not run in this build yet" in result_box.get_text() and not result_box.select("img")
    # This build rewrote a few pages; the sitemap still lists them all.
    assert sitemap(project / "_build" / "html") == sitemap(site.html)

    # The next full build runs what was left out.
    result = subprocess.run([*no_network(), *make_command("html")],
                            cwd=project, env=build_env(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    assert "changed: two_layer_net_numpy" in printed(project, numpy_page)
    result_box = page_soup(project, comparison).select_one(".example-result")
    assert result_box.select("img") and "final loss" in result_box.get_text()


def test_make_html_example_with_an_unknown_name_lists_the_examples(built_project):
    project = with_makefile(built_project)
    before = generated_pages(project)
    result = subprocess.run([*no_network(), *make_command("html", "EXAMPLE=no_such_example")],
                            cwd=project, env=build_env(), capture_output=True, text=True, timeout=600)
    assert result.returncode != 0
    assert "EXAMPLE=no_such_example names no example. The examples are: " in result.stderr
    assert "dynamic_net" in result.stderr and "two_layer_net_numpy" in result.stderr
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
        except OSError as error:  # not serving yet
            last = error
        time.sleep(0.5)
    pytest.fail(f"gave up waiting for {what} after {timeout} s; last: {str(last)[:300]}")


def test_make_livehtml_serves_and_rebuilds_running_only_a_changed_example(built_project, tmp_path):
    project = with_makefile(built_project)
    port = free_port()
    log = open(tmp_path / "livehtml.log", "w")
    # Not under no_network(): the test has to reach the server.
    server = subprocess.Popen(make_command("livehtml", f"PORT={port}"), cwd=project, env=build_env(),
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def get(page: str) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/{page}", timeout=10) as response:
            return response.read().decode()

    try:
        wait_for(lambda: get("tutorial.html"), lambda html: "Learning PyTorch" in html, 120, "the first page")
        untouched = generated_pages(project)

        # A page changes: it is rebuilt, no example runs.
        with open(project / "docs" / "tutorial.rst", "a") as f:
            f.write("\nA sentence added while the server runs.\n")
        wait_for(lambda: get("tutorial.html"), lambda html: "added while the server runs" in html,
                 120, "the edited page")
        assert generated_pages(project) == untouched

        # An example changes: it alone runs again, and its page shows the new output.
        with open(project / "examples_nn" / "dynamic_net.py", "a") as f:
            f.write('\nprint("printed after an edit")\n')
        wait_for(lambda: get("auto_examples/nn/dynamic_net.html"),
                 lambda html: "printed after an edit" in html, 180, "the edited example")
        changed = {page for page, mtime in generated_pages(project).items() if untouched[page] != mtime}
        assert changed == {"docs/auto_examples/nn/dynamic_net.rst"}
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


def test_a_cached_inventory_links_names_in_the_code_to_the_api_docs(built_project, tmp_path):
    cache = tmp_path / "inventories"
    cache.mkdir()
    write_inventory(cache / "torch.inv", "torch", [
        ("torch.randn", "function", "generated/torch.randn"),
        ("torch.nn.Linear", "class", "generated/torch.nn.Linear"),
    ])
    result = build_site(built_project, env={"API_INVENTORIES": str(cache)})
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-5000:]
    # torch is no longer among the projects without an inventory
    assert "API links: no cached inventory for python, numpy, matplotlib, tensorflow in " in log

    html = built_project / "_build" / "html"
    tensor = BeautifulSoup((html / "auto_examples/tensor/two_layer_net_tensor.html").read_text(), "html.parser")
    randn = [a for a in tensor.select("div.highlight-Python pre a") if a.get_text() == "torch.randn"]
    assert randn, "torch.randn in the code is not a link"
    assert {a["href"] for a in randn} == {f"{TORCH_DOCS}generated/torch.randn.html#torch.randn"}
    # The prose's :class: role links through the same inventory.
    nn_page = BeautifulSoup((html / "auto_examples/nn/two_layer_net_nn.html").read_text(), "html.parser")
    linear = [a for a in nn_page.select("p a.reference.external") if a.get_text() == "nn.Linear"]
    assert [a["href"] for a in linear] == [f"{TORCH_DOCS}generated/torch.nn.Linear.html#torch.nn.Linear"]


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
