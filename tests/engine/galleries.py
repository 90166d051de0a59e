"""Stand-ins for one gallery, shared by the engine's unit tests."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from gallery_runner import seam
from gallery_runner.examples import Example
from gallery_runner.staleness import example_outputs


def gallery_app(tmp_path: Path, **conf_overrides) -> SimpleNamespace:
    """A stand-in Sphinx app with one gallery: tmp_path/examples -> tmp_path/docs/generated."""
    (tmp_path / "examples").mkdir(exist_ok=True)
    (tmp_path / "docs" / "generated").mkdir(parents=True, exist_ok=True)
    conf = dict(examples_dirs=["../examples"], gallery_dirs=["generated"], ignore_pattern=r"__init__\.py",
                within_subsection_order="FileNameSortKey",
                filename_pattern=r"\.py$", plot_gallery=True, source_suffix={".rst": "rst"},
                src_dir=str(tmp_path / "docs"), expected_failing_examples=[])
    conf.update(conf_overrides)
    conf = seam.filled_conf(conf)
    return SimpleNamespace(config=SimpleNamespace(sphinx_gallery_conf=conf), srcdir=tmp_path / "docs")


def finished_run(task: Example, outputs: dict[str, str]) -> None:
    """Leave what a finished, passing run of ``task`` leaves: outputs, checksum, list."""
    for name, text in outputs.items():
        (task.gallery_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (task.gallery_dir / name).write_text(text)
    task.checksum_file.write_text(seam.checksum(task.source))
    task.manifest.parent.mkdir(parents=True, exist_ok=True)
    task.manifest.write_text(json.dumps(example_outputs(task)))
