"""A build never reports success over a problem it has seen, and its output heals.

Sphinx rebuilds only what changed since the last build. That is right when
the last build finished cleanly and its output is intact, and wrong otherwise:

* a page that warned is not read again, so the next build, with nothing
  fixed, "succeeds";
* a build interrupted while writing leaves pages, images or the search index
  half-written, and the next build, believing them current, keeps them;
* a file deleted from the output (an image, a page's source copy, the search
  index, a doctree) stays missing, or breaks a later build.

This extension keeps a note of each build's outcome in the doctree folder
(``last-build-<builder>.json``): "unfinished" when it starts, "clean" or
"problems" when it ends (a build that failed: see :func:`problems_seen`). Before reading, it also checks that every file the
last build wrote for the current documents is still there. When the last
build did not finish cleanly, or its output is incomplete, every page is
read and written again, so the same warnings come back and every page,
image and the search index is rewritten; examples are not run again for it
(:mod:`.staleness` decides that from their own outputs). A build with a
problem also never prunes output (see :mod:`.pruning`).
"""

from __future__ import annotations

import hashlib
import json
import logging as std_logging
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.logging import is_suppressed_warning

from . import examples, seam
from .seam import read_images

logger = logging.getLogger(__name__)


class _WarningCounter(std_logging.Handler):
    """Counts the warnings Sphinx reports (not those in ``suppress_warnings``)."""

    def __init__(self, app: Sphinx) -> None:
        super().__init__(std_logging.WARNING)
        self.app = app
        self.count = 0

    def emit(self, record: std_logging.LogRecord) -> None:
        suppressed = getattr(getattr(self.app, "config", None), "suppress_warnings", ())
        if not is_suppressed_warning(getattr(record, "type", ""), getattr(record, "subtype", ""), suppressed):
            self.count += 1


class BuildHealth:
    """The hooks, sharing one build's warning count and the last build's note."""

    def __init__(self, app: Sphinx) -> None:
        self.counter = _WarningCounter(app)
        std_logging.getLogger(logging.NAMESPACE).addHandler(self.counter)
        self.previous: dict = {}
        self.code_folders: list[Path] = [Path(__file__).parent]

    def watch(self, folder: Path) -> None:
        """Read every page again when the code in ``folder`` changes (an extension whose directives shape pages)."""
        self.code_folders.append(Path(folder))

    def note_path(self, app: Sphinx) -> Path:
        return Path(app.doctreedir) / f"last-build-{app.builder.name}.json"

    def start(self, app: Sphinx) -> None:
        path = self.note_path(app)
        try:
            self.previous = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.previous = {}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"state": "unfinished"}), encoding="utf-8")

    def outdated(self, app: Sphinx, env, added: set, changed: set, removed: set) -> list[str]:
        """Every document, if the last build had a problem or lost output."""
        if not env.all_docs:
            return []  # a fresh environment: everything is read anyway
        state = self.previous.get("state")
        if state == "unfinished":
            reason = "the last build did not finish"
        elif state == "problems":
            reason = "the last build had warnings or errors"
        elif self.previous.get("extension") != extension_code(self.code_folders):
            # Their directives may shape every page, but Sphinx re-reads a page
            # only when the page or conf.py changes.
            reason = "the extensions' code changed"
        else:
            missing = missing_outputs(app, env)
            if not missing:
                return []
            more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
            reason = f"output of the last build is missing: {missing[0]}{more}"
        logger.info("reading and writing every page again: %s", reason)
        # Every page is indexed anew: start the search index from nothing, as
        # a clean build does, rather than from what the last build left.
        if app.builder.format == "html" and hasattr(app.builder, "searchindex_filename"):
            (Path(app.outdir) / app.builder.searchindex_filename).unlink(missing_ok=True)
        return sorted(env.found_docs)

    def finish(self, app: Sphinx, exception: Exception | None) -> None:
        std_logging.getLogger(logging.NAMESPACE).removeHandler(self.counter)
        clean = exception is None and not problems_seen(app)
        state = "clean" if clean else "problems"
        note = {"state": state, "extension": extension_code(self.code_folders)}
        self.note_path(app).write_text(json.dumps(note), encoding="utf-8")


def extension_code(folders: list[Path] | None = None) -> str:
    """A hash of the source of every module in ``folders`` (by default this package's)."""
    digest = hashlib.sha256()
    for path in sorted(path for folder in folders or [Path(__file__).parent] for path in folder.glob("*.py")):
        digest.update(f"{path.parent.name}/{path.name}".encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def problems_seen(app: Sphinx) -> bool:
    """Whether this build has failed so far: an exit status, an example failing (or passing) against
    expectations, or a warning or error where warnings fail the build (``-W``).

    Without ``-W`` a warning does not fail a build, and, as with Sphinx
    itself, does not make the next one read everything again.
    """
    health = getattr(app, "gallery_runner_health", None)
    if health is not None and health.counter.count and seam.warnings_fail_build(app):
        return True
    conf = app.config.sphinx_gallery_conf
    if app.statuscode != 0:
        return True
    if not conf.get("failing_examples") and not conf.get("expected_failing_examples"):
        return False
    failed, passed = seam.unexpected_outcomes(conf)
    return bool(failed or passed)


def missing_outputs(app: Sphinx, env) -> list[str]:
    """Files the last HTML build wrote for the current documents that are gone."""
    if app.builder.format != "html":
        return []
    outdir, doctrees = Path(app.outdir), Path(app.doctreedir)
    expected = [doctrees / f"{docname}.doctree" for docname in sorted(env.all_docs)]
    if getattr(app.builder, "search", False):
        expected.append(outdir / app.builder.searchindex_filename)
    if app.config.html_copy_source:
        link_suffix = app.config.html_sourcelink_suffix
        for docname in sorted(env.all_docs):
            suffix = env.doc2path(docname).suffix
            name = docname + suffix + ("" if suffix == link_suffix else link_suffix)
            expected.append(outdir / "_sources" / name)
    expected += [outdir / "_images" / name for _, name in env.images.values()]
    # sphinx-gallery copies the figures of its pages while writing them,
    # outside env.images: one per figure on a generated example page.
    for gallery in examples.galleries(app):
        for page in sorted(gallery.gallery_dir.glob("*.rst")):
            for image in read_images(page.read_text(encoding="utf-8")):
                expected.append(outdir / "_images" / Path(image).name)
    return [_shown(path, outdir, doctrees) for path in expected if not path.is_file()]


def _shown(path: Path, outdir: Path, doctrees: Path) -> str:
    for base in (outdir, doctrees):
        if path.is_relative_to(base):
            return f"{base.name}/{path.relative_to(base).as_posix()}"
    return str(path)
