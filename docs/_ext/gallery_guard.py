"""Make example failures loud and precise, and leave nothing stale behind.

sphinx-gallery runs the examples and reports each one that raises, with its
traceback. This extension covers the rest:

* **A failing example fails the build, plainly.** With sphinx-gallery set to
  report failures as warnings (``only_warn_on_example_error``), its traceback
  and summary are printed as usual; then :func:`fail_on_example_errors` ends
  the build with exit status 1 and one line naming the failed files, instead
  of Sphinx's crash report for an extension error.
* **File names, not paths.** sphinx-gallery warns about whitespace anywhere
  in an example's full path, so a checkout under a folder with a space in
  its name could not build. Its check is switched off and replaced by one of
  the examples' own file names, which are what end up in links.
* **Missing packages, named up front.** Before any example runs, every module
  the examples import is looked up. A missing one stops the build with one
  message naming the module, the examples that need it and the requirement
  line that installs it, instead of a traceback in the middle of the build.
* **Removed examples disappear.** sphinx-gallery never deletes what it
  generated for an example that no longer exists, and Sphinx never deletes
  the HTML, downloads or images of a page that is gone. Both are pruned, and
  every page is rewritten so that no sidebar still links to the removed one:
  an incremental build after a removal matches a clean one.
* **One example at a time.** ``EXAMPLE=dynamic_net`` (conf.py's
  ``example_only``) runs just that example through :func:`only_example`;
  a name that matches no example stops the build, listing the examples.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import sys
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from sphinx.application import Sphinx
from sphinx.util import logging
from build_health import problems_seen
from tutorial_gallery import gallery_folders

logger = logging.getLogger(__name__)


def gallery_paths(app: Sphinx) -> list[tuple[Path, Path]]:
    """Each gallery's (examples folder, generated folder), both absolute."""
    srcdir = Path(app.srcdir)
    return [(examples, (srcdir / gallery).resolve()) for examples, gallery in gallery_folders(app)]


def example_scripts(app: Sphinx) -> list[Path]:
    """Every example script, gallery by gallery, each gallery's sorted by name."""
    return [script for examples_dir, _ in gallery_paths(app) for script in sorted(examples_dir.glob("*.py"))]


# -- Failing examples ----------------------------------------------------------


def fail_on_example_errors(app: Sphinx, exception: Exception | None) -> None:
    """Give the build exit status 1 if an example failed unexpectedly.

    Also forget each failed example's checksum from its last good run, which
    sphinx-gallery keeps: otherwise, once the example is fixed back to that
    same source, it would not run again and its page would keep the traceback.
    """
    conf = app.config.sphinx_gallery_conf
    if exception is not None or not conf.get("plot_gallery"):
        return
    for path in map(Path, conf["failing_examples"]):
        for examples_dir, gallery_dir in gallery_paths(app):
            if path.parent.resolve() == examples_dir:
                (gallery_dir / f"{path.name}.md5").unlink(missing_ok=True)
    srcdir = str(app.srcdir)
    expected = {os.path.normpath(os.path.join(srcdir, p)) for p in conf["expected_failing_examples"]}
    failed = sorted(
        os.path.relpath(path, srcdir)
        for path in conf["failing_examples"]
        if os.path.normpath(path) not in expected
    )
    if failed:
        logger.error(
            "%d example%s failed, so the build fails: %s (tracebacks above)",
            len(failed),
            "s" if len(failed) > 1 else "",
            ", ".join(failed),
        )
        app.statuscode = 1


# -- Example file names ---------------------------------------------------------

#: sphinx-gallery's warning about whitespace anywhere in an example's path.
SPACE_IN_PATH_WARNING = "sphinx_gallery.space_in_filename"


def check_names_not_paths(app: Sphinx, config) -> None:
    """Replace sphinx-gallery's whitespace check of full paths by :func:`check_example_names`."""
    if SPACE_IN_PATH_WARNING not in config.suppress_warnings:
        config.suppress_warnings = [*config.suppress_warnings, SPACE_IN_PATH_WARNING]


def check_example_names(app: Sphinx) -> None:
    """Stop the build if an example's file name has whitespace (it breaks links)."""
    bad = [script for script in example_scripts(app) if re.search(r"\s", script.name)]
    if bad:
        logger.error(
            "Example file names must not contain spaces (they become page and image "
            "names and would break links). Rename: %s",
            ", ".join(str(script.relative_to(Path(app.confdir))) for script in bad),
        )
        raise SystemExit(1)


# -- Missing packages ------------------------------------------------------------


def imported_modules(script: Path) -> set[str]:
    """The top-level names of the modules a script imports."""
    try:
        tree = ast.parse(script.read_bytes(), filename=str(script))
    except SyntaxError:
        return set()  # sphinx-gallery reports it when it runs the example
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def is_importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def requirement_for(module: str, requirements: Path) -> str | None:
    """The line of ``requirements`` that installs ``module`` on this platform.

    A distribution matches when its name is the module's, or starts with it
    and a dash (``tensorflow-cpu`` installs ``tensorflow``).
    """
    if not requirements.is_file():
        return None
    wanted = canonicalize_name(module)
    for line in requirements.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        try:
            req = Requirement(line)
        except InvalidRequirement:
            continue
        if req.marker is not None and not req.marker.evaluate():
            continue
        name = canonicalize_name(req.name)
        if name == wanted or name.startswith(wanted + "-"):
            return str(req).split(";")[0].strip()
    return None


def check_example_imports(app: Sphinx) -> None:
    """Stop the build before any example runs if one cannot import a module."""
    if not app.config.sphinx_gallery_conf.get("plot_gallery"):
        return  # nothing will be executed
    needed: dict[str, list[str]] = {}
    pattern = app.config.sphinx_gallery_conf["filename_pattern"]
    for script in example_scripts(app):
        if not re.search(pattern, str(script)):
            continue  # not run in this build (EXAMPLE=...)
        for module in imported_modules(script):
            local = script.parent / module  # a module of the example's own folder
            if local.with_suffix(".py").exists() or local.is_dir():
                continue
            needed.setdefault(module, []).append(str(script.relative_to(Path(app.confdir))))
    missing = sorted(module for module in needed if not is_importable(module))
    if not missing:
        return
    requirements = Path(app.confdir) / app.config.example_requirements
    lines = ["The examples import modules that this Python cannot find:"]
    for module in missing:
        line = f"  {module}, needed by {', '.join(needed[module])}"
        req = requirement_for(module, requirements)
        if req:
            line += f": install it with {sys.executable} -m pip install '{req}'"
        lines.append(line)
    lines.append(
        f"To install everything the site needs: {sys.executable} -m pip install "
        f"-r {app.config.example_requirements}"
    )
    logger.error("\n".join(lines))
    # A clean stop: any exception would add Sphinx's crash report to the message.
    raise SystemExit(1)


# -- One example at a time --------------------------------------------------------


def only_example(name: str) -> str:
    """sphinx-gallery's ``filename_pattern`` for running just the example ``name``.

    ``name`` is the example's file name, with or without ``.py``, or a path
    ending in it: ``dynamic_net``, ``dynamic_net.py``, ``examples_nn/dynamic_net.py``.
    """
    stem = Path(name).name.removesuffix(".py")
    return rf"[\\/]{re.escape(stem)}\.py$"


def check_example_selection(app: Sphinx) -> None:
    """Stop the build if ``example_only`` (EXAMPLE=...) names no example."""
    name = app.config.example_only
    if not name:
        return
    pattern = app.config.sphinx_gallery_conf["filename_pattern"]
    scripts = example_scripts(app)
    chosen = [script for script in scripts if re.search(pattern, str(script))]
    if chosen:
        logger.info("running only %s (EXAMPLE=%s); the other examples are not run",
                    ", ".join(script.name for script in chosen), name)
        return
    logger.error("EXAMPLE=%s names no example. The examples are: %s",
                 name, ", ".join(script.stem for script in scripts))
    raise SystemExit(1)


# -- Removed examples --------------------------------------------------------------

_EXAMPLE_FILES = (".py", ".py.md5", ".rst", ".ipynb", ".codeobj.json", ".cost.json", ".zip", ".outputs.json")
_EXAMPLE_IMAGE = re.compile(r"^sphx_glr_(?P<stem>.+)_(?:\d{3}|thumb)\.\w+$")


def prune_removed_examples(app: Sphinx) -> None:
    """Delete what sphinx-gallery generated for examples that no longer exist.

    A generated ``<stem>.py`` copy marks an example sphinx-gallery has seen;
    when its source is gone, all of that example's files go with it (else its
    stale page would still be built, as an orphan).
    """
    for examples_dir, gallery_dir in gallery_paths(app):
        if not gallery_dir.is_dir():
            continue
        sources = {script.stem for script in examples_dir.glob("*.py")}
        removed = {copy.stem for copy in gallery_dir.glob("*.py")} - sources
        for stem in sorted(removed):
            logger.info("removing the generated files of %s.py, whose source is gone", stem)
            for suffix in _EXAMPLE_FILES:
                (gallery_dir / f"{stem}{suffix}").unlink(missing_ok=True)
        for image in (gallery_dir / "images").rglob("sphx_glr_*"):
            match = _EXAMPLE_IMAGE.match(image.name)
            if match and match["stem"] in removed:
                image.unlink()


def note_added_or_removed(app: Sphinx, env, added: set, changed: set, removed: set) -> list:
    """Remember whether this build adds or removes a document."""
    env.gallery_guard_docs_changed = bool(added or removed)
    return []


def rewrite_everything_if_documents_changed(app: Sphinx, env) -> list[str]:
    """Rewrite every page when a document came or went.

    Every page's sidebar and previous/next links list the documents, but Sphinx
    only rewrites the pages it re-read, so after a removal the others would
    keep links to the removed page. Pages are rewritten, not re-read.
    """
    if getattr(env, "gallery_guard_docs_changed", False):
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
    srcdir = Path(app.srcdir)
    stale: list[Path] = []

    for _, gallery_dir in gallery_paths(app):
        prefix = gallery_dir.relative_to(srcdir).as_posix()
        for page in (outdir / prefix).rglob("*.html"):
            docname = page.relative_to(outdir).with_suffix("").as_posix()
            if docname not in env.all_docs:
                stale.append(page)
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
    for _, gallery_dir in gallery_paths(app):
        images.update(path.name for path in (gallery_dir / "images").glob("*.png"))
    for path in (outdir / "_images").glob("*"):
        if path.is_file() and path.name not in images:
            stale.append(path)

    for path in stale:
        path.unlink(missing_ok=True)
    for folder in (outdir / "_downloads").glob("*"):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinx_gallery.gen_gallery")
    app.add_config_value("example_requirements", "requirements.txt", "env", str)
    app.add_config_value("example_only", "", "", str)
    app.connect("config-inited", check_names_not_paths)
    # Before sphinx-gallery generates the galleries (default priority 500).
    app.connect("builder-inited", check_example_names, priority=380)
    app.connect("builder-inited", check_example_selection, priority=390)
    app.connect("builder-inited", check_example_imports, priority=400)
    app.connect("builder-inited", prune_removed_examples, priority=450)
    # After sphinx-gallery's summary of failing examples (default priority 500).
    app.connect("build-finished", fail_on_example_errors, priority=600)
    app.connect("env-get-outdated", note_added_or_removed)
    app.connect("env-get-updated", rewrite_everything_if_documents_changed)
    # After fail_on_example_errors, which sets the exit status it checks.
    app.connect("build-finished", prune_stale_output, priority=700)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
