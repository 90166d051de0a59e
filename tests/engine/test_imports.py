"""Unit tests of gallery_runner.imports: a missing module is named, with the line that installs it."""

from __future__ import annotations

from gallery_runner import imports


def test_imported_modules_are_the_top_level_names(tmp_path):
    script = tmp_path / "example.py"
    script.write_text(
        "import numpy as np\nimport matplotlib.pyplot as plt\nfrom torch import nn\n"
        "from . import sibling\nimport os, json\n"
    )
    assert imports.imported_modules(script) == {"numpy", "matplotlib", "torch", "os", "json"}
    script.write_text("print('unclosed'\n")
    assert imports.imported_modules(script) == set()  # sphinx-gallery reports syntax errors


def test_requirement_for_finds_the_line_that_installs_a_module(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(
        "# comment\nsphinx==9.0.4   # pinned\n"
        'tensorflow-cpu==2.21.0; python_version >= "3"\n'
        'tensorflow==2.21.0; python_version < "3"\n'
        "torch==2.13.0\n"
    )
    assert imports.requirement_for("tensorflow", requirements) == "tensorflow-cpu==2.21.0"
    assert imports.requirement_for("torch", requirements) == "torch==2.13.0"
    assert imports.requirement_for("numpy", requirements) is None
    assert imports.requirement_for("torch", tmp_path / "missing.txt") is None
