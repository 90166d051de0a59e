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
