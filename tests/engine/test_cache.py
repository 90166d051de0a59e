"""Unit tests of gallery_runner.cache."""

from __future__ import annotations

import hashlib
import json
import os
import shutil

import pytest

from gallery_runner import cache, uses

PARTS = {"example": "auto_examples/x/one.py", "source": "abc"}
#: What the stored runs imported: a distribution installed here, in its version here.
USED = {"packaging": uses.installed()["packaging"]}


def entry_folder(folder, key="k1", used=USED):
    return cache.folder_of(folder, key, used)


def generated(tmp_path):
    gallery = tmp_path / "gallery"
    (gallery / "images").mkdir(parents=True)
    (gallery / "one.rst").write_text("page\n")
    (gallery / "images" / "sphx_glr_one_001.png").write_bytes(b"\x89PNG figure")
    return gallery, ["one.rst", "images/sphx_glr_one_001.png"]


def test_an_entry_is_stored_once_verified_and_restored(tmp_path):
    gallery, names = generated(tmp_path)
    folder = tmp_path / "cache"
    assert cache.store(folder, "k1", PARTS, gallery, names, 1.5, USED)
    assert not cache.store(folder, "k1", PARTS, gallery, names, 1.5, USED)  # already there: kept as it is
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
    cache.store(tmp_path / "cache", "k1", PARTS, gallery, names, 1.5, USED, ran_on=ran_on)
    entry = cache.lookup(tmp_path / "cache", "k1", PARTS)
    assert entry.meta["ran_on"] == ran_on
    assert ran_on["cpu"] and ran_on["cores"] >= 1 and ran_on["os"] and ran_on["python"].split()[1].count(".") == 2
    assert ran_on["date"].endswith("+00:00")  # UTC


def test_restoring_leaves_a_file_with_the_same_bytes_as_it_is(tmp_path):
    """Sphinx and sphinx-gallery go by time stamps: an unchanged output must not look new."""
    gallery, names = generated(tmp_path)
    folder = tmp_path / "cache"
    cache.store(folder, "k1", PARTS, gallery, names, 1.5, USED)
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
    cache.store(folder, "k1", PARTS, gallery, names, 1.0, USED)
    figure = entry_folder(folder) / "files" / "images" / "sphx_glr_one_001.png"
    meta = entry_folder(folder) / "entry.json"
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
    assert not entry_folder(folder).exists()


def test_a_store_that_loses_the_race_drops_its_copy(tmp_path, monkeypatch):
    gallery, names = generated(tmp_path)
    folder = tmp_path / "cache"
    rename = os.rename
    calls = []

    def another_build_was_first(src, dst):
        calls.append(dst)
        if len(calls) == 1:
            cache.store(folder, "k1", PARTS, gallery, names, 2.0, USED)  # the other build's entry lands first
        rename(src, dst)

    monkeypatch.setattr(cache.os, "rename", another_build_was_first)
    assert cache.store(folder, "k1", PARTS, gallery, names, 1.0, USED) is False
    monkeypatch.undo()
    assert cache.lookup(folder, "k1", PARTS).run_time == 2.0
    assert sorted(p.name for p in folder.iterdir()) == [entry_folder(folder).name]


def test_prune_keeps_only_the_entries_asked_for(tmp_path):
    gallery, names = generated(tmp_path)
    folder = tmp_path / "cache"
    for key in ("a", "b", "c"):
        cache.store(folder, key, PARTS, gallery, names, 1.0, USED)
    names_of = {key: entry_folder(folder, key).name for key in "abc"}
    assert cache.prune(folder, {names_of["b"]}) == [names_of["a"], names_of["c"]]
    assert [p.name for p in folder.iterdir()] == [names_of["b"]]


def test_an_entry_is_used_while_what_its_run_imported_keeps_its_version(tmp_path, monkeypatch):
    """ccache's direct mode: the key is as wide as what the run read, here the distributions it imported."""
    gallery, names = generated(tmp_path)
    folder = tmp_path / "cache"
    versions = {"numpy": "2.0.0", "torch": "2.13.0", "unused-tool": "1.0"}
    monkeypatch.setattr(uses, "installed", lambda: dict(versions))
    cache.store(folder, "k1", PARTS, gallery, names, 1.0, {"numpy": "2.0.0"})
    versions["unused-tool"] = "2.0"  # upgraded, and a package installed that no run imported
    versions["fake-dist"] = "0.1"
    assert cache.lookup(folder, "k1", PARTS) is not None
    versions["numpy"] = "2.1.0"  # what it imported: another version, so no entry
    assert cache.lookup(folder, "k1", PARTS) is None
    cache.store(folder, "k1", PARTS, gallery, names, 2.0, {"numpy": "2.1.0"})  # side by side with the old one
    assert cache.lookup(folder, "k1", PARTS).uses == {"numpy": "2.1.0"}
    versions["numpy"] = "2.0.0"  # back again: the first entry serves
    assert cache.lookup(folder, "k1", PARTS).run_time == 1.0
    del versions["numpy"]  # removed
    assert cache.lookup(folder, "k1", PARTS) is None
    assert len(list(folder.iterdir())) == 2


@pytest.mark.parametrize("link", ["file", "folder"])
def test_an_entry_that_holds_a_symbolic_link_is_damage_and_nothing_is_followed(tmp_path, link):
    """A crafted entry (from another machine) must not publish a file of this one, checksum or not."""
    secret = tmp_path / "elsewhere" / "token.txt"
    secret.parent.mkdir()
    secret.write_text("a secret of the building machine\n")
    gallery, names = generated(tmp_path)
    folder = tmp_path / "cache"
    cache.store(folder, "k1", PARTS, gallery, names, 1.0, USED)
    entry = entry_folder(folder)
    meta = json.loads((entry / "entry.json").read_text())
    if link == "file":  # the page replaced by a link to the secret, its checksum the secret's
        (entry / "files" / "one.rst").unlink()
        (entry / "files" / "one.rst").symlink_to(secret)
        meta["files"]["one.rst"] = hashlib.sha256(secret.read_bytes()).hexdigest()
        said = "one.rst is a symbolic link"
    else:  # the images folder replaced by a link to the secret's folder
        shutil.rmtree(entry / "files" / "images")
        (entry / "files" / "images").symlink_to(secret.parent, target_is_directory=True)
        meta["files"] = {"one.rst": meta["files"]["one.rst"],
                         "images/token.txt": hashlib.sha256(secret.read_bytes()).hexdigest()}
        said = "images is a symbolic link"
    (entry / "entry.json").write_text(json.dumps(meta))
    with pytest.raises(cache.Damaged, match=said):
        cache.lookup(folder, "k1", PARTS)
    assert not entry.exists() and secret.is_file()  # the entry is gone, the secret where it was
