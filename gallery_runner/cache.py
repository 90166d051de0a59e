"""The execution cache: each example's results, addressed by its fingerprint and what it used.

An entry holds everything a build needs to publish an example without running
it: the files its run generated (the page's reST, figures, thumbnail,
notebook, ``.py`` copy, zip, checksum, recorded cost, list of outputs, the
record of where it ran) and ``entry.json``, which records the fingerprint's
components, the distributions the run imported with their versions, where
and when it ran, the run time and a SHA-256 of every file. The folder is
``execution_cache`` (conf.py; by default ``_build/execution-cache``,
``EXECUTION_CACHE=DIR`` for another); any machine can fill it and any
machine can read it, since nothing in an entry depends on the checkout's path.

* **A manifest of what it used**, as ccache's direct mode: an entry's folder
  is ``<fingerprint>-<hash of the distributions it used>``. A lookup reads
  the entries of the fingerprint and takes the newest one whose every
  distribution still has the recorded version (:mod:`.uses`), so a package
  that the example did not import changes nothing, and entries for two
  versions of a library can sit side by side.

* **Verified on use.** An entry whose ``entry.json`` is unreadable, whose
  fingerprint is not the one asked for, that holds anything but folders and
  regular files (a symbolic link is never followed), or one of whose files is
  missing or differs from its checksum, is discarded: the example runs again (or, where
  running is not allowed, the build fails naming it).
* **Written atomically.** An entry is assembled in a temporary folder inside
  the cache and renamed into place in one step. Two builds storing the same
  entry at once both succeed: the second finds it there and drops its copy.
* **Another Python or platform is a miss**: both are in the fingerprint.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import stat
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from . import uses

ENTRY_FILE = "entry.json"
FORMAT = 2


@dataclass
class Entry:
    folder: Path
    meta: dict

    @property
    def run_time(self) -> float:
        return float(self.meta.get("run_time", 0.0))

    @property
    def files(self) -> dict[str, str]:
        return self.meta["files"]

    @property
    def uses(self) -> dict[str, str]:
        used = self.meta.get("uses")
        return used if isinstance(used, dict) else {}


class Damaged(Exception):
    """An entry that exists but cannot be trusted; its text says why."""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _safe(relative: str) -> bool:
    parts = Path(relative).parts
    return bool(parts) and not Path(relative).is_absolute() and ".." not in parts


def variant(used: dict[str, str]) -> str:
    """The part of an entry's folder name that says what it used."""
    text = json.dumps(dict(sorted(used.items())), separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def folder_of(cache: Path, key: str, used: dict[str, str]) -> Path:
    return cache / f"{key}-{variant(used)}"


def _meta(folder: Path) -> dict:
    try:
        meta = json.loads((folder / ENTRY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise Damaged(f"its {ENTRY_FILE} is unreadable ({error})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or not isinstance(meta.get("files"), dict) \
            or not isinstance(meta.get("uses"), dict):
        raise Damaged(f"its {ENTRY_FILE} is not an entry of this format")
    return meta


def usable(cache: Path, key: str) -> list[Entry]:
    """The entries of fingerprint ``key`` (not verified) whose distributions are all still installed as
    recorded, newest first. An entry whose ``entry.json`` cannot be read is removed, and :class:`Damaged` raised."""
    found = []
    for folder in sorted(cache.glob(f"{key}-*")) if cache.is_dir() else ():
        try:
            meta = _meta(folder)
        except Damaged:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        if not uses.still_installed(meta["uses"]):
            found.append(Entry(folder, meta))
    return sorted(found, key=lambda entry: (float(entry.meta.get("stored", 0.0)), entry.folder.name), reverse=True)


def lookup(cache: Path, key: str, parts: dict) -> Entry | None:
    """The newest verified entry of ``key`` that this Python's distributions can use, or None.

    A damaged entry is removed and :class:`Damaged` raised.
    """
    candidates = usable(cache, key)
    if not candidates:
        return None
    folder = candidates[0].folder
    try:
        entry = Entry(folder, _verified(folder, parts, candidates[0].meta))
    except Damaged:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return entry


def _only_regular_files(folder: Path) -> None:
    """Raise :class:`Damaged` if anything in the entry ``folder`` is not a plain folder or a regular file.

    An entry may come from another machine: a symbolic link in it (to a key,
    a token, any readable file of this machine) would be published as if
    the example had made it. Nothing in an entry is followed; a link, a
    device, a pipe is damage.
    """
    if folder.is_symlink():
        raise Damaged("its folder is a symbolic link")
    for root, folders, files in os.walk(folder, followlinks=False):
        for name in [*folders, *files]:
            path = Path(root, name)
            mode = path.lstat().st_mode
            if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                kind = "a symbolic link" if stat.S_ISLNK(mode) else "not a regular file"
                raise Damaged(f"{path.relative_to(folder).as_posix().removeprefix('files/')} is {kind}")


def _verified(folder: Path, parts: dict, meta: dict) -> dict:
    if meta.get("fingerprint") != parts:
        raise Damaged("it was stored under another fingerprint")
    _only_regular_files(folder)
    for name, digest in meta["files"].items():
        path = folder / "files" / name
        if not _safe(name) or not path.is_file():
            raise Damaged(f"{name} is missing")
        if _sha256(path) != digest:
            raise Damaged(f"{name} does not match its checksum")
    return meta


def store(cache: Path, key: str, parts: dict, gallery_dir: Path, names: list[str], run_time: float,
          used: dict[str, str], ran_on: dict | None = None) -> bool:
    """Store the files ``names`` (relative to ``gallery_dir``) as an entry of ``key`` made with the
    distributions ``used``; False if it was there.

    ``ran_on`` says where and when the example ran (:func:`.machine.describe`).
    """
    entry_folder = folder_of(cache, key, used)
    if entry_folder.is_dir():
        return False
    cache.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".incoming-", dir=cache))
    try:
        files = {}
        for name in names:
            source = gallery_dir / name
            target = scratch / "files" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            files[name] = _sha256(target)
        meta = {"format": FORMAT, "fingerprint": parts, "example": parts.get("example"),
                "uses": dict(sorted(used.items())), "run_time": run_time, "stored": time.time(),
                "ran_on": ran_on or {}, "files": files}
        (scratch / ENTRY_FILE).write_text(json.dumps(meta, indent=1, sort_keys=True), encoding="utf-8")
        try:
            os.rename(scratch, entry_folder)  # atomic; fails if another build stored it first
        except OSError:
            if entry_folder.is_dir():
                return False
            raise
        return True
    finally:
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)


def restore(entry: Entry, gallery_dir: Path) -> None:
    """Copy an entry's files into ``gallery_dir``, each replacing its old version in one step.

    A file that is already there with the same bytes is left as it is (and
    its time stamp with it, which Sphinx and sphinx-gallery go by).
    """
    for name, digest in entry.files.items():
        target = gallery_dir / name
        if target.is_file() and _sha256(target) == digest:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch = target.with_name(target.name + ".restoring")
        shutil.copyfile(entry.folder / "files" / name, scratch)
        os.replace(scratch, target)


def entries(cache: Path) -> list[Entry]:
    """Every readable entry of the cache (not verified), in a fixed order."""
    found = []
    if not cache.is_dir():
        return found
    for folder in sorted(cache.iterdir()):
        if folder.name.startswith("."):
            continue
        with contextlib.suppress(OSError, ValueError):
            meta = json.loads((folder / ENTRY_FILE).read_text(encoding="utf-8"))
            if isinstance(meta, dict) and meta.get("format") == FORMAT:
                found.append(Entry(folder, meta))
    return found


def recorded_times(cache: Path) -> dict[str, float]:
    """{example (``gallery/name.py``): its most recently stored run time} from the cache's entries."""
    newest: dict[str, tuple[float, str, float]] = {}
    for entry in entries(cache):
        example = entry.meta.get("example")
        stamp = (float(entry.meta.get("stored", 0.0)), entry.folder.name, entry.run_time)
        if isinstance(example, str) and stamp > newest.get(example, (-1.0, "", 0.0)):
            newest[example] = stamp
    return {example: stamp[2] for example, stamp in newest.items()}


def prune(cache: Path, keep: set[str]) -> list[str]:
    """Remove every entry whose folder name is not in ``keep`` (and half-written folders); return their names."""
    removed = []
    if not cache.is_dir():
        return removed
    for folder in sorted(cache.iterdir()):
        if folder.is_dir() and folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed
