"""Unit tests of gallery_runner.pruning."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from gallery_runner import pruning


@pytest.mark.parametrize("failed", [False, True])
def test_a_build_that_saw_a_problem_prunes_nothing(tmp_path, failed):
    html = tmp_path / "_build" / "html"
    stale = [html / "_images" / "gone.png", html / "_downloads" / "0123" / "gone.ipynb"]
    for path in stale:
        path.parent.mkdir(parents=True)
        path.write_text("left by the last good build")
    conf = {"examples_dirs": [], "gallery_dirs": [], "failing_examples": {"x.py": "boom"} if failed else {}}
    app = SimpleNamespace(
        builder=SimpleNamespace(format="html"), outdir=html, srcdir=tmp_path / "docs",
        doctreedir=tmp_path / "_build" / "doctrees", statuscode=0,
        env=SimpleNamespace(all_docs={}, dlfiles={}, images={}),
        config=SimpleNamespace(sphinx_gallery_conf=conf),
    )
    pruning.prune_stale_output(app, None)
    assert [path.exists() for path in stale] == [failed, failed]


@pytest.mark.parametrize("builder", ["html", "dirhtml"])
def test_only_pages_of_removed_documents_are_pruned_whatever_the_builders_layout(tmp_path, builder):
    from gallery_runner import seam

    out = tmp_path / "_build" / builder
    (tmp_path / "examples").mkdir()
    layout = {"html": "{}.html", "dirhtml": "{}/index.html"}[builder]
    current, removed = out / layout.format("auto_examples/plot_a"), out / layout.format("auto_examples/gone")
    for page in (current, removed):
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text("<html></html>")
    conf = seam.filled_conf({"examples_dirs": ["../examples"], "gallery_dirs": ["auto_examples"]})
    app = SimpleNamespace(
        builder=SimpleNamespace(format="html", get_outfilename=lambda docname: str(out / layout.format(docname))),
        outdir=out, srcdir=tmp_path / "docs", doctreedir=tmp_path / "_build" / "doctrees", statuscode=0,
        env=SimpleNamespace(all_docs={"auto_examples/plot_a": 1}, dlfiles={}, images={}),
        config=SimpleNamespace(sphinx_gallery_conf=conf),
    )
    pruning.prune_stale_output(app, None)
    assert current.exists() and not removed.exists()
