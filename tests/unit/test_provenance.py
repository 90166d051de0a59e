"""Unit tests of tutorial_site.provenance: the engine's provenance words in the page's language."""

from __future__ import annotations

import sys
from types import SimpleNamespace

from tutorial_site import provenance

FACTS = {"cpu": "AMD EPYC", "cores": 2, "accelerator": "", "packages": ["torch 2.13.0", "numpy 2.4.6"],
         "link": "{link}", "python": "3.11.7", "date": "2026-12-06", "seconds": "0.5"}


def test_the_words_in_english_keep_the_link_in_the_line():
    assert provenance.words(None, "line", FACTS) == (
        "Ran on AMD EPYC (2 cores), torch 2.13.0, numpy 2.4.6, Python 3.11.7, on 2026-12-06, in 0.5 s ({link}).")
    assert provenance.words(None, "line", {**FACTS, "packages": []}) == (
        "Ran on AMD EPYC (2 cores), Python 3.11.7, on 2026-12-06, in 0.5 s ({link}).")
    assert provenance.words(None, "cell", {**FACTS, "accelerator": "1 x H100"}) == \
        "AMD EPYC (2 cores) with 1 x H100, 2026-12-06"
    assert (provenance.words(None, "header", FACTS), provenance.words(None, "link", FACTS)) == \
        ("Ran on", "full record")


def test_the_accelerator_is_named_only_if_the_example_imported_torch_and_torch_has_one(monkeypatch):
    assert provenance.torch_accelerator({"numpy"}) == {}
    device = SimpleNamespace(type="cuda")
    fake = SimpleNamespace(accelerator=SimpleNamespace(is_available=lambda: True, current_accelerator=lambda: device,
                                                       device_count=lambda: 2),
                           cuda=SimpleNamespace(get_device_name=lambda index: "NVIDIA H100 80GB HBM3"))
    monkeypatch.setitem(sys.modules, "torch", fake)
    assert provenance.torch_accelerator({"torch", "numpy"}) == {"accelerator": "2 x NVIDIA H100 80GB HBM3"}
    assert provenance.torch_accelerator({"numpy"}) == {}
    monkeypatch.setattr(fake.accelerator, "is_available", lambda: False)
    assert provenance.torch_accelerator({"torch"}) == {}
