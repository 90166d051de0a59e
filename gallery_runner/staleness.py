"""Which examples need running: outputs current or not, and what each is expected to cost.

An example's outputs are current when it ran here from the same source
(sphinx-gallery's checksum), under the same fingerprint (:mod:`.fingerprint`),
and every output its run listed (``<stem>.outputs.json``, written last by the
run, see :mod:`.runner`) is still on disk. Otherwise :func:`why_run` says, in
words, why it runs: so an interrupted run or a deleted figure, notebook or
thumbnail heals.
"""

from __future__ import annotations

import ast
import glob
import json
import sys
from pathlib import Path

from . import fingerprint, seam
from .examples import RECORDS, Example
from .imports import imported_modules


def example_outputs(example: Example) -> list[str]:
    """The files a finished run of ``example`` left, relative to its gallery folder.

    Found by what sphinx-gallery names after the example, whatever their
    format: ``<stem>.*`` beside its copy (page, notebook, zip, code objects,
    cost), and under ``images/`` every ``sphx_glr_<stem>_NNN...`` and
    ``sphx_glr_<stem>_thumb...`` (figures in any format, their srcset
    variants, animations, thumbnails); and the files in ``images/`` that are
    no example's, which a run writes for every page (the Binder and
    JupyterLite badges) when they are not there yet. And the record of where
    and when it ran (:mod:`.provenance`), which its page shows.
    """
    folder, stem = example.gallery_dir, example.stem
    names = {
        path.name
        for path in folder.glob(f"{glob.escape(stem)}.*")
        if path.is_file() and not path.name.endswith((".md5", ".new", ".restoring"))
    }
    if example.provenance_record.is_file():
        names.add(example.provenance_record.relative_to(folder).as_posix())
    mine = seam.example_image_pattern(stem)
    images = folder / "images"
    if images.is_dir():
        names.update(path.relative_to(folder).as_posix() for path in images.rglob("*")
                     if path.is_file() and mine.match(path.name))
        names.update(f"images/{path.name}" for path in images.iterdir()
                     if path.is_file() and not path.name.startswith(seam.EXAMPLE_FILE_PREFIX))
    return sorted(names)


def why_run(example: Example, conf: dict, parts: dict | None = None) -> str | None:
    """Why ``example`` must run in this build, or None when its outputs are current.

    With ``parts`` (its fingerprint's components, :mod:`.fingerprint`), the
    outputs are current only if they were made under that same fingerprint,
    and every distribution the run imported still has the version it had;
    the reason then names what changed.
    """
    if not seam.is_run(example.source, conf):
        return None  # not run in this build (html-noplot, EXAMPLE=...)
    if parts is not None:
        try:
            made_under = json.loads(example.fingerprint_record.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            made_under = None
        if not isinstance(made_under, dict) or "parts" not in made_under:
            return "it has not run here yet" if not example.checksum_file.is_file() else "its outputs have no fingerprint"
        changed = fingerprint.out_of_date(made_under, parts)
        if changed:
            return ", ".join(changed)
    failure = recorded_failure(example)
    if failure is not None:
        # An expected failure: sphinx-gallery keeps no checksum of it, its record does.
        if failure.get("checksum") != seam.checksum(example.source):
            return "its source changed"
    elif not example.checksum_file.is_file() or example.checksum_file.read_text() != seam.checksum(example.source):
        return "its source changed"
    if not example.manifest.is_file():
        return "its last run did not finish"
    try:
        listed = json.loads(example.manifest.read_text(encoding="utf-8"))
    except ValueError:
        return "its list of outputs is unreadable"
    missing = [name for name in listed if not (example.gallery_dir / name).is_file()]
    if missing:
        return f"{missing[0]} is missing"
    return None


def recorded_failure(example: Example) -> dict | None:
    """What the last run of an example that was expected to fail, and did, reported (see :mod:`.driver`)."""
    try:
        record = json.loads(example.failure_record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and "formatted_exception" in record else None


def cost_of(example: Example, recorded: dict[str, float] | None = None, name: str = "") -> float:
    """The seconds ``example`` is expected to take: recorded in the cache, or by its last run here, or guessed."""
    if recorded and name in recorded:
        return recorded[name]
    return seam.recorded_cost(example.target) or guess_cost(example.source)


def guess_cost(script: Path) -> float:
    """Seconds an example with no recorded run is guessed to take.

    Each package beyond Python's own that it imports adds to the scale
    (importing a large library alone can take seconds), and a longer program
    is guessed to run longer: about 40 statements count as one unit. A guess
    only orders a clean build's examples, longest first, so that the longest
    does not start last, and shares them out over shards.
    """
    packages = imported_modules(script) - set(sys.stdlib_module_names)
    scale = 1.0 + len(packages)
    try:
        tree = ast.parse(script.read_bytes())
    except (SyntaxError, ValueError):
        return scale  # sphinx-gallery reports the error when it runs the example
    statements = sum(isinstance(node, ast.stmt) for node in ast.walk(tree))
    return scale * max(1.0, statements / 40)
