"""The archive of every example: one zip of the scripts and notebooks, with what a visitor installs.

``.. examples-archive::`` (:mod:`.directives`) links to it; the Chinese site's
copy holds the translated scripts (:mod:`.code_translation`).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ConfigError

from gallery_runner import examples

#: Where the zip of all examples is written, relative to the source folder.
ARCHIVE = "auto_examples/learning_pytorch_with_examples.zip"


def check_visitor_requirements(app: Sphinx, config) -> None:
    """Stop at once, naming the file, when ``visitor_requirements`` names a file that is not there."""
    if config.visitor_requirements and not (Path(app.confdir) / config.visitor_requirements).is_file():
        raise ConfigError(
            f"visitor_requirements (conf.py) names {config.visitor_requirements}, which does not exist: "
            "write it, one line per package the examples import (it goes into the archive of every example), "
            "or set visitor_requirements = \"\"")


def write_examples_archive(app: Sphinx) -> None:
    """Zip every example script and its notebook into one download, with what they need.

    ``visitor_requirements`` (conf.py), the packages the examples import, is
    at the top of the archive. Runs after sphinx-gallery has generated the
    notebooks. Entries carry a fixed timestamp, and the file is only rewritten when its bytes change, so
    the archive is reproducible and an unchanged build does not recopy it.
    """
    srcdir = Path(app.srcdir)
    members: list[tuple[str, bytes]] = []
    if app.config.visitor_requirements:
        requirements = Path(app.confdir) / app.config.visitor_requirements
        members.append((requirements.name, requirements.read_bytes()))
    for example in examples.all_examples(app):
        folder = example.examples_dir.name
        members.append((f"{folder}/{example.name}", example.source.read_bytes()))
        notebook = example.generated_file(".ipynb")
        if notebook.is_file():
            members.append((f"{folder}/{notebook.name}", notebook.read_bytes()))

    archive = srcdir / ARCHIVE
    archive.parent.mkdir(parents=True, exist_ok=True)
    scratch = archive.with_suffix(".zip.new")
    with zipfile.ZipFile(scratch, "w") as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    if archive.is_file() and archive.read_bytes() == scratch.read_bytes():
        scratch.unlink()
    else:
        scratch.replace(archive)


