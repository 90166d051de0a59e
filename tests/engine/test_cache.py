"""Unit tests of gallery_runner.cache."""

from __future__ import annotations

import json
import os

import pytest

from gallery_runner import cache

PARTS = {"example": "auto_examples/x/one.py", "source": "abc"}


def generated(tmp_path):
    gallery = tmp_path / "gallery"
    (gallery / "images").mkdir(parents=True)
    (gallery / "one.rst").write_text("page\n")
    (gallery / "images" / "sphx_glr_one_001.png").write_bytes(b"\x89PNG figure")
    return gallery, ["one.rst", "images/sphx_glr_one_001.png"]


def test_an_entry_is_stored_once_verified_and_restored(tmp_path):
    gallery, names = generated(tmp_path)
    folder = tmp_path / "cache"
    assert cache.store(folder, "k1", PARTS, gallery, names, 1.5)
    assert not cache.store(folder, "k1", PARTS, gallery, names, 1.5)  # already there: kept as it is
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]
    entry = cache.lookup(folder, "k1", PARTS)
    assert entry.run_time == 1.5 and sorted(entry.files) == sorted(names)
    assert cache.lookup(folder, "k2", PARTS) is None
    target = tmp_path / "elsewhere"
    cache.restore(entry, target)
    assert (target / "images" / "sphx_glr_one_001.png").read_bytes() == b"\x89PNG figure"
    assert cache.recorded_times(folder) == {"auto_examples/x/one.py": 1.5}


def test_an_entry_says_where_and_when_its_example_ran(tmp_path):
    from gallery_runner import machine

    gallery, names = generated(tmp_path)
    ran_on = machine.describe()
    cache.store(tmp_path / "cache", "k1", PARTS, gallery, names, 1.5, ran_on=ran_on)
    entry = cache.lookup(tmp_path / "cache", "k1", PARTS)
    assert entry.meta["ran_on"] == ran_on
    assert ran_on["cpu"] and ran_on["cores"] >= 1 and ran_on["os"] and ran_on["python"].split()[1].count(".") == 2
    assert ran_on["date"].endswith("+00:00")  # UTC


def test_restoring_leaves_a_file_with_the_same_bytes_as_it_is(tmp_path):
    """Sphinx and sphinx-gallery go by time stamps: an unchanged output must not look new."""
    gallery, names = generated(tmp_path)
    folder = tmp_path / "cache"
    cache.store(folder, "k1", PARTS, gallery, names, 1.5)
    page, figure = gallery / "one.rst", gallery / "images" / "sphx_glr_one_001.png"
    os.utime(page, ns=(1_000_000_000, 1_000_000_000))
    os.utime(figure, ns=(1_000_000_000, 1_000_000_000))
    figure.write_bytes(b"another figure")
    cache.restore(cache.lookup(folder, "k1", PARTS), gallery)
    assert page.stat().st_mtime_ns == 1_000_000_000  # the same: untouched
    assert figure.read_bytes() == b"\x89PNG figure" and figure.stat().st_mtime_ns != 1_000_000_000


@pytest.mark.parametrize("damage", ["truncate", "delete", "entry", "fingerprint"])
def test_a_damaged_entry_is_discarded_saying_why(tmp_path, damage):
    gallery, names = generated(tmp_path)
    folder = tmp_path / "cache"
    cache.store(folder, "k1", PARTS, gallery, names, 1.0)
    figure = folder / "k1" / "files" / "images" / "sphx_glr_one_001.png"
    meta = folder / "k1" / "entry.json"
    if damage == "truncate":
        figure.write_bytes(figure.read_bytes()[:3])
    elif damage == "delete":
        figure.unlink()
    elif damage == "entry":
        meta.write_text(meta.read_text()[:20])
    else:
        data = json.loads(meta.read_text())
        data["fingerprint"]["source"] = "other"
        meta.write_text(json.dumps(data))
    with pytest.raises(cache.Damaged) as found:
        cache.lookup(folder, "k1", PARTS)
    assert {"truncate": "does not match its checksum", "delete": "is missing", "entry": "unreadable",
            "fingerprint": "another fingerprint"}[damage] in str(found.value)
    assert not (folder / "k1").exists()


def test_a_store_that_loses_the_race_drops_its_copy(tmp_path, monkeypatch):
    gallery, names = generated(tmp_path)
    folder = tmp_path / "cache"
    rename = os.rename
    calls = []

    def another_build_was_first(src, dst):
        calls.append(dst)
        if len(calls) == 1:
            cache.store(folder, "k1", PARTS, gallery, names, 2.0)  # the other build's entry lands first
        rename(src, dst)

    monkeypatch.setattr(cache.os, "rename", another_build_was_first)
    assert cache.store(folder, "k1", PARTS, gallery, names, 1.0) is False
    monkeypatch.undo()
    assert cache.lookup(folder, "k1", PARTS).run_time == 2.0
    assert sorted(p.name for p in folder.iterdir()) == ["k1"]


def test_prune_keeps_only_the_keys_asked_for(tmp_path):
    gallery, names = generated(tmp_path)
    folder = tmp_path / "cache"
    for key in ("a", "b", "c"):
        cache.store(folder, key, PARTS, gallery, names, 1.0)
    assert cache.prune(folder, {"b"}) == ["a", "c"]
    assert [p.name for p in folder.iterdir()] == ["b"]
