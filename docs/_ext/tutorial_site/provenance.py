"""Where each example ran, said in the page's language, with the accelerator its torch used.

The engine records every run (:mod:`gallery_runner.provenance`) and puts a
line under each example's output and a column in the execution-times tables;
its words are English. This module gives them in the page's language
(:func:`words`, connected to the engine's ``example-provenance-text`` event)
and adds to each record the accelerator that the example's torch used
(:func:`torch_accelerator`, a probe run in the example's process after it).
"""

from __future__ import annotations

import sys

from .translations import _


def torch_accelerator(modules: set[str]) -> dict:
    """``{"accelerator": "1 x <name>"}`` if the example imported torch and torch has an accelerator; else {}."""
    torch = sys.modules.get("torch")
    if "torch" not in modules or torch is None or not torch.accelerator.is_available():
        return {}
    device = torch.accelerator.current_accelerator()
    count = torch.accelerator.device_count()
    name = torch.cuda.get_device_name(0) if device.type == "cuda" else device.type
    return {"accelerator": f"{count} x {name}"}


def words(app, form: str, facts: dict) -> str:
    """The engine's provenance texts (``form``: line, link, header, cell) in the page's language."""
    if form == "header":
        return _("Ran on")
    if form == "link":
        return _("full record")
    where = _("{cpu} ({cores} cores)").format(cpu=facts["cpu"], cores=facts["cores"])
    if facts["accelerator"]:
        where = _("{machine} with {device}").format(machine=where, device=facts["accelerator"])
    if form == "cell":
        return _("{machine}, {date}").format(machine=where, date=facts["date"])
    packages = _(", ").join(facts["packages"])
    if packages:
        return _("Ran on {machine}, {packages}, Python {python}, on {date}, in {seconds} s ({link}).").format(
            machine=where, packages=packages, **{name: facts[name] for name in ("python", "date", "seconds", "link")})
    return _("Ran on {machine}, Python {python}, on {date}, in {seconds} s ({link}).").format(
        machine=where, **{name: facts[name] for name in ("python", "date", "seconds", "link")})
