"""The examples' folders and files, checked before sphinx-gallery reads them.

sphinx-gallery stops the whole build, with Sphinx's crash report, at the first
examples folder without a ``GALLERY_HEADER.rst`` and at the first example
without a title docstring. Here every folder and file is checked first, in
the Sphinx process, before anything runs: each problem is one ``ERROR:`` that
names the file, says what is wrong and what to write; what cannot be built
(that gallery, that example) is left out of this build, everything else is
built, and the build fails. Pages that embed a left-out example say so in
its place (:func:`left_out`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

from . import examples, seam

logger = logging.getLogger(__name__)

TITLE_EXAMPLE = '''    """
    The example's title
    ===================

    What it shows, in a sentence or two.
    """'''


def problem_with_gallery(gallery: examples.Gallery, conf: dict) -> str | None:
    """What makes sphinx-gallery unable to build ``gallery``, in words; None if nothing."""
    folder = gallery.examples_dir
    if not folder.is_dir():
        return (f"{os.path.relpath(folder)}, named in sphinx_gallery_conf['examples_dirs'] in conf.py, "
                "is not a folder. Create it, or remove it (and its gallery_dirs entry) from conf.py.")
    if not seam.has_gallery_header(folder, conf):
        return (f"{os.path.relpath(folder)} has no GALLERY_HEADER.rst, the page that introduces its gallery: "
                f"write {os.path.relpath(folder / 'GALLERY_HEADER.rst')} with the gallery's title, underlined "
                "with = signs, and a paragraph saying what its examples show.")
    return None


def problem_with_example(script: Path) -> str | None:
    """What makes sphinx-gallery unable to build the example ``script``, in words; None if nothing."""
    where = os.path.relpath(script)
    try:
        script.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        return f"{where} is not UTF-8 text (at byte {error.start + 1}): save it as UTF-8."
    except OSError as error:
        return f"{where} cannot be read: {error.strerror}."
    try:
        seam.intro_and_title(script)
    except ExtensionError as error:
        if str(error).startswith(seam.NO_DOCSTRING):
            what = "does not begin with a docstring"
        else:
            what = "has a docstring without a title"
        return (f"{where} {what}: an example begins with a docstring whose first line is its title, "
                f"underlined with = signs, then a paragraph that says what it shows:\n{TITLE_EXAMPLE}")
    except SyntaxError:
        return None  # it fails when it runs, naming the line (see .failures)
    return None


def check_sources(app: Sphinx) -> None:
    """Check every gallery and example; leave out of this build what sphinx-gallery cannot build."""
    conf = app.config.sphinx_gallery_conf
    left: dict[Path, str] = {}
    keep = []
    for gallery, pair in zip(examples.galleries(app, subsections=False), seam.gallery_folders(conf)):
        problem = problem_with_gallery(gallery, conf)
        if problem is None:
            keep.append(pair)
            continue
        scripts = sorted(gallery.examples_dir.glob("*.py")) if gallery.examples_dir.is_dir() else []
        logger.error("%s\nUntil then this gallery%s left out of the build, and the build fails.", problem,
                     f" and its {len(scripts)} example{'s are' if len(scripts) != 1 else ' is'}" if scripts
                     else " is")
        left[gallery.examples_dir] = problem
        left.update({script.resolve(): problem for script in scripts})
    if len(keep) < len(seam.gallery_folders(conf)):
        conf["examples_dirs"], conf["gallery_dirs"] = [p[0] for p in keep], [p[1] for p in keep]
    bad = []
    for example in examples.all_examples(app):
        problem = problem_with_example(example.source)
        if problem is not None:
            logger.error("%s\nUntil then it is left out of the build, and the build fails.", problem)
            left[example.source] = problem
            bad.append(example.name)
    if bad:
        # sphinx-gallery would stop the build at the first one: it does not see them.
        names = "|".join(re.escape(name) for name in bad)
        conf["ignore_pattern"] = f"(?:{conf['ignore_pattern']})|^(?:{names})$"
    app.gallery_runner_left_out = left


def left_out(app: Sphinx, path: Path) -> str | None:
    """Why the example or gallery folder at ``path`` is left out of this build, or None."""
    return getattr(app, "gallery_runner_left_out", {}).get(Path(path).resolve())


def fail_if_left_out(app: Sphinx, exception: Exception | None) -> None:
    """Give the build exit status 1 if anything was left out (also without ``-W``)."""
    if exception is None and getattr(app, "gallery_runner_left_out", None):
        app.statuscode = 1
