"""The example model: which galleries and examples exist, in what order, and where their files go.

Every other module asks this one, so "which examples exist" has one answer,
the one sphinx-gallery itself uses: the ``.py`` files directly inside each
``examples_dirs`` folder, and inside each of its sub-galleries, whose name
does not match ``ignore_pattern``, in sphinx-gallery's
``within_subsection_order``.

``example_only`` (``EXAMPLE=name``) becomes sphinx-gallery's ``filename_pattern``
(:func:`configure`): only that example runs.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

from . import seam

logger = logging.getLogger(__name__)

#: The engine's own records of each example's run, in this folder of its gallery folder (out of
#: sphinx-gallery's way): the list of its outputs, written last by the run (see :mod:`.runner`),
#: the fingerprint they were made under (see :mod:`.fingerprint`), and where and when it ran.
RECORDS = ".example_runs"
MANIFEST_SUFFIX = ".outputs.json"
FINGERPRINT_SUFFIX = ".fingerprint.json"
#: An expected failure's run: its traceback, title and cost, so that it is reported without running again.
FAILURE_SUFFIX = ".failure.json"
#: Where, when and with what the example ran (see :mod:`.provenance`): published with its outputs.
PROVENANCE_SUFFIX = ".ran.json"
#: What in an examples folder is not beside an example for it to read: caches and hidden files.
NOT_BESIDE = ("__pycache__", "*.pyc", ".*")


@dataclass(frozen=True)
class Gallery:
    """One examples folder and the folder sphinx-gallery generates its pages in."""

    examples_dir: Path  # absolute
    gallery_dir: Path  # absolute
    name: str  # the generated folder relative to the source folder, e.g. auto_examples/nn


@dataclass(frozen=True)
class Example:
    """One example script and the files generated for it."""

    source: Path  # the script, absolute
    gallery_dir: Path  # the generated gallery folder, absolute

    @property
    def name(self) -> str:
        return self.source.name

    @property
    def stem(self) -> str:
        return self.source.stem

    @property
    def examples_dir(self) -> Path:
        return self.source.parent

    @property
    def key(self) -> str:
        """How sphinx-gallery names the example in its bookkeeping (``failing_examples``)."""
        return os.path.normpath(self.source)

    @property
    def target(self) -> Path:
        """sphinx-gallery's copy of the script, beside its generated files."""
        return self.gallery_dir / self.name

    def generated_file(self, suffix: str) -> Path:
        """A generated file of this example, e.g. ``.rst`` or ``.ipynb``."""
        return self.gallery_dir / f"{self.stem}{suffix}"

    @property
    def checksum_file(self) -> Path:
        return seam.checksum_file(self.target)

    @property
    def manifest(self) -> Path:
        return self.gallery_dir / RECORDS / f"{self.stem}{MANIFEST_SUFFIX}"

    @property
    def fingerprint_record(self) -> Path:
        return self.gallery_dir / RECORDS / f"{self.stem}{FINGERPRINT_SUFFIX}"

    @property
    def failure_record(self) -> Path:
        return self.gallery_dir / RECORDS / f"{self.stem}{FAILURE_SUFFIX}"

    @property
    def provenance_record(self) -> Path:
        return self.gallery_dir / RECORDS / f"{self.stem}{PROVENANCE_SUFFIX}"

    def forget_run(self) -> None:
        """Delete what says its last run finished: from now on it runs again, unless a run finishes."""
        for path in (self.checksum_file, self.manifest, self.fingerprint_record, self.failure_record,
                     self.provenance_record):
            path.unlink(missing_ok=True)

    @property
    def thumbnail(self) -> Path:
        return seam.thumbnail(self.gallery_dir, self.stem)


def galleries(app: Sphinx, subsections: bool = True) -> list[Gallery]:
    """Every gallery, in conf.py's order, each followed by its sub-galleries (sub-folders) in sphinx-gallery's."""
    conf = app.config.sphinx_gallery_conf
    srcdir = Path(app.srcdir)
    found = []
    for examples, gallery in seam.gallery_folders(conf):
        top = Gallery((srcdir / examples).resolve(), (srcdir / gallery).resolve(), Path(gallery).as_posix())
        found.append(top)
        if subsections:
            found += [Gallery(top.examples_dir / sub, top.gallery_dir / sub, f"{top.name}/{sub}")
                      for sub in seam.subsections(srcdir, top.examples_dir, conf)]
    return found


def is_example_file(path: Path, conf: dict) -> bool:
    """Whether sphinx-gallery treats ``path`` (inside an examples folder) as an example."""
    return path.suffix == ".py" and re.search(conf["ignore_pattern"], path.name) is None


def examples_of(gallery: Gallery, conf: dict) -> list[Example]:
    """One gallery's examples, in gallery order (sphinx-gallery's ``within_subsection_order``)."""
    scripts = [path for path in gallery.examples_dir.glob("*.py") if is_example_file(path, conf)]
    key = seam.order_key(conf, gallery.examples_dir)
    return [Example(path, gallery.gallery_dir) for path in sorted(scripts, key=lambda p: key(p.name))]


def all_examples(app: Sphinx) -> list[Example]:
    """Every example of the site, gallery by gallery, each in gallery order."""
    conf = app.config.sphinx_gallery_conf
    return [example for gallery in galleries(app) for example in examples_of(gallery, conf)]


def find(app: Sphinx, path: Path) -> tuple[Gallery, Example] | None:
    """The gallery and example of the script at ``path``, if it is one."""
    path = path.resolve()
    conf = app.config.sphinx_gallery_conf
    for gallery in galleries(app):
        if path.parent == gallery.examples_dir.resolve() and is_example_file(path, conf):
            return gallery, Example(path, gallery.gallery_dir)
    return None


def is_selected(example: Example, conf: dict) -> bool:
    """Whether this build runs ``example`` (``filename_pattern``, so EXAMPLE=...)."""
    return re.search(conf["filename_pattern"], str(example.source)) is not None


# -- Configuration -----------------------------------------------------------------


def only_example(name: str) -> str:
    """sphinx-gallery's ``filename_pattern`` for running just the example ``name``.

    ``name`` is the example's file name, with or without ``.py``, or a path
    ending in it: ``dynamic_net``, ``dynamic_net.py``, ``examples_nn/dynamic_net.py``.
    """
    stem = Path(name).name.removesuffix(".py")
    return rf"[\\/]{re.escape(stem)}\.py$"


def configure(app: Sphinx, config: Config) -> None:
    """Turn ``example_only`` (``EXAMPLE=...``, asked for on the command line) into ``filename_pattern``.

    Runs before sphinx-gallery fills in its defaults; nothing else of
    sphinx-gallery's settings changes.
    """
    if config.example_only:
        config.sphinx_gallery_conf["filename_pattern"] = only_example(config.example_only)


def check_example_selection(app: Sphinx) -> None:
    """Stop the build if ``example_only`` (EXAMPLE=...) names no example."""
    name = app.config.example_only
    if not name:
        return
    conf = app.config.sphinx_gallery_conf
    examples = all_examples(app)
    chosen = [example for example in examples if is_selected(example, conf)]
    if chosen:
        logger.info("running only %s (EXAMPLE=%s); the other examples are not run",
                    ", ".join(example.name for example in chosen), name)
        return
    logger.error("EXAMPLE=%s names no example. The examples are: %s",
                 name, ", ".join(example.stem for example in examples))
    raise SystemExit(1)
