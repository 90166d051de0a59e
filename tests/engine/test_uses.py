"""Unit tests of gallery_runner.uses: what an example's run imported, as distributions and versions."""

from __future__ import annotations

import importlib
import sys

from gallery_runner import uses


def fake_distribution(folder, name: str, version: str, module: str) -> None:
    """A distribution ``name`` at ``version`` that installs the module ``module``, in ``folder``."""
    info = folder / f"{name}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (info / "top_level.txt").write_text(f"{module}\n")
    (folder / module).mkdir()
    (folder / module / "__init__.py").write_text("from . import part\n")
    (folder / module / "part.py").write_text("VALUE = 1\n")


def test_the_recorder_notes_new_and_already_loaded_modules_but_not_what_came_before(tmp_path, monkeypatch):
    fake_distribution(tmp_path, "Fake-Dist", "1.2", "fake_module")
    monkeypatch.syspath_prepend(str(tmp_path))
    import json  # noqa: F401 - loaded before the recorder starts

    with uses.Recorder() as used:
        import json  # noqa: F401, F811 - already loaded: noted all the same (a preloaded library)

        importlib.import_module("fake_module")  # loaded now, with a relative import inside it
        importlib.import_module("email.mime.text")
    assert {"json", "fake_module", "email"} <= used.modules
    assert "pytest" not in used.modules  # loaded, but not imported while recording
    uses.forget()
    try:
        assert uses.distributions(used.modules) == {"fake-dist": "1.2"}  # the standard library is no distribution
        assert uses.distribution_of("fake_module") == "fake-dist"
    finally:
        sys.modules.pop("fake_module", None)
        sys.modules.pop("fake_module.part", None)
        uses.forget()


def test_the_recorder_puts_import_back_as_it_was():
    import builtins

    before = builtins.__import__, importlib.import_module
    with uses.Recorder():
        assert builtins.__import__ is not before[0]
    assert (builtins.__import__, importlib.import_module) == before


def test_what_changed_of_the_used_distributions_is_said_in_words(monkeypatch):
    monkeypatch.setattr(uses, "installed", lambda: {"numpy": "2.1.0", "torch": "2.13.0", "unused": "9"})
    assert uses.still_installed({"numpy": "2.1.0", "torch": "2.13.0"}) == []
    assert uses.still_installed({"numpy": "2.0.0", "scipy": "1.0"}) == ["numpy 2.0.0 -> 2.1.0", "scipy 1.0 was removed"]


def test_an_examples_own_imports_come_in_the_order_it_writes_them(tmp_path):
    script = tmp_path / "one.py"
    script.write_text('"""T."""\nimport torch\nimport numpy as np\nfrom matplotlib import pyplot\nimport torch.nn\n'
                      "from . import x\n")
    assert uses.imported_in_order(script) == ["torch", "numpy", "matplotlib"]
