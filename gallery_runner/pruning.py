"""Nothing stale is left behind: what belonged to a removed example or page goes.

sphinx-gallery never deletes what it generated for an example that no longer
exists, and Sphinx never deletes the HTML, downloads or images of a page that
is gone. Both are pruned here, and every page is rewritten when a document
comes or goes, so that no sidebar still links to a removed one: an
incremental build after a removal matches a clean one. A build that saw a
problem prunes nothing (see :mod:`.health`), so the last good site stays.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

from . import examples, printed, seam
from .sources import left_out
from .health import problems_seen

logger = logging.getLogger(__name__)


def prune_removed_examples(app: Sphinx) -> None:
    """Delete what sphinx-gallery generated for examples that no longer exist.

    A generated ``<stem>.py`` copy marks an example sphinx-gallery has seen;
    when its source is gone, all of that example's files go with it (else its
    stale page would still be built, as an orphan).
    """
    conf = app.config.sphinx_gallery_conf
    for gallery in examples.galleries(app):
        gallery_dir = gallery.gallery_dir
        if not gallery_dir.is_dir():
            continue
        sources = {example.stem for example in examples.examples_of(gallery, conf)}
        removed = {copy.stem for copy in gallery_dir.glob("*.py")} - sources
        for stem in sorted(removed):
            if not left_out(app, gallery.examples_dir / f"{stem}.py"):  # else: its error said why
                logger.info("removing the generated files of %s.py, whose source is gone", stem)
            for suffix in seam.GENERATED_SUFFIXES:
                (gallery_dir / f"{stem}{suffix}").unlink(missing_ok=True)
            for whole_output in printed.files_of(gallery_dir, stem):
                whole_output.unlink()
            for suffix in (examples.MANIFEST_SUFFIX, examples.FINGERPRINT_SUFFIX, examples.FAILURE_SUFFIX,
                           examples.PROVENANCE_SUFFIX):
                (gallery_dir / examples.RECORDS / f"{stem}{suffix}").unlink(missing_ok=True)
        if removed and not sources:
            # sphinx-gallery writes no execution-times page for a gallery left
            # without examples, so the last one would still list the removed ones.
            (gallery_dir / f"{seam.TIMES_PAGE}.rst").unlink(missing_ok=True)
        patterns = [seam.example_image_pattern(stem) for stem in removed]
        for image in (gallery_dir / "images").rglob(f"{seam.EXAMPLE_FILE_PREFIX}*"):
            if any(pattern.match(image.name) for pattern in patterns):
                image.unlink()


def note_added_or_removed(app: Sphinx, env, added: set, changed: set, removed: set) -> list:
    """Remember whether this build adds or removes a document."""
    env.gallery_runner_docs_changed = bool(added or removed)
    return []


def rewrite_everything_if_documents_changed(app: Sphinx, env) -> list[str]:
    """Rewrite every page when a document came or went.

    Every page's sidebar and previous/next links list the documents, but Sphinx
    only rewrites the pages it re-read, so after a removal the others would
    keep links to the removed page. Pages are rewritten, not re-read.
    """
    if getattr(env, "gallery_runner_docs_changed", False):
        return sorted(env.found_docs)
    return []


def prune_stale_output(app: Sphinx, exception: Exception | None) -> None:
    """Delete built pages, downloads and images that no document uses any more.

    Sphinx writes what the current documents need and never removes the rest.
    Only the gallery pages (and their ``_sources`` copies), ``_downloads`` and
    ``_images`` are pruned; everything else in the output is left alone. A
    build that saw a problem prunes nothing: a failed example's figures are
    gone from its page, but the last good site keeps them until a build
    succeeds.
    """
    if exception is not None or app.builder.format != "html" or problems_seen(app):
        return
    env = app.env
    outdir = Path(app.outdir)
    stale: list[Path] = []

    # Where this builder writes each current document (html: a/b.html; dirhtml: a/b/index.html).
    written = {Path(app.builder.get_outfilename(docname)).resolve() for docname in env.all_docs}
    for gallery in examples.galleries(app):
        prefix = gallery.name
        for page in (outdir / prefix).rglob("*.html"):
            if page.resolve() in written:
                continue
            stale.append(page)
            docname = page.relative_to(outdir).with_suffix("").as_posix()
            if docname not in env.all_docs:
                stale.append(outdir / "_sources" / f"{docname}.rst.txt")
                stale.append(Path(app.doctreedir) / f"{docname}.doctree")

    downloads = {Path(dest).as_posix() for _, dest in env.dlfiles.values()}
    for path in (outdir / "_downloads").glob("*/*"):
        if path.relative_to(outdir / "_downloads").as_posix() not in downloads:
            stale.append(path)

    images = {str(name) for _, name in env.images.values()}
    # sphinx-gallery's ``image-sg`` figures are copied when their page is
    # written, without entering env.images: keep every figure the galleries
    # still have (a removed example's were deleted before the build).
    for gallery in examples.galleries(app):
        images.update(path.name for path in (gallery.gallery_dir / "images").rglob("*") if path.is_file())
    for path in (outdir / "_images").glob("*"):
        if path.is_file() and path.name not in images:
            stale.append(path)

    for path in stale:
        path.unlink(missing_ok=True)
    for folder in (outdir / "_downloads").glob("*"):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
