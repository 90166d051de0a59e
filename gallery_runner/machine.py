"""The machine an example ran on, as a reader would name it: kept with its results in the execution cache.

An output may come from another machine and another day than the build that
publishes it (a shard, a cache filled elsewhere), so each example's run
records where and when it ran (:func:`describe`). That is a record, not part
of the fingerprint: the same example on another machine reuses the entry.
Except for an example whose output depends on the hardware (a benchmark:
conf.py's ``machine_dependent_examples``, or ``# sphinx_gallery_machine_dependent
= True`` in the example): the machine's :func:`identity` is in its
fingerprint, so another machine runs it again.

What the operating system says of accelerators is read here
(:func:`accelerators`: NVIDIA's driver lists its GPUs in /proc). What a
library saw (the devices an example's torch used) is for the site to add:
:func:`add_probe` registers a function that runs in the example's process
after the example, is given the top-level names of the modules it imported,
and whose dict joins the record.
"""

from __future__ import annotations

import contextlib
import os
import platform
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

#: Functions run in an example's process after it ran; what they return joins where it ran.
_probes: list[Callable[[set[str]], dict]] = []


def add_probe(probe: Callable[[set[str]], dict]) -> None:
    """Have ``probe(modules)`` describe more of the machine after each example, given the top-level names of
    the modules it imported (e.g. the accelerator a library it imported used)."""
    if probe not in _probes:
        _probes.append(probe)


def cpu_model() -> str:
    """The processor's name (Linux: /proc/cpuinfo's ``model name``), or the architecture where it is not known."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Hardware", "Processor") and value.strip():
                return " ".join(value.split())
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def cores() -> int:
    """The processor cores this process may use."""
    with contextlib.suppress(AttributeError, OSError):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 0


def accelerators(driver: Path = Path("/proc/driver/nvidia/gpus")) -> list[str]:
    """The GPUs the operating system's driver lists (NVIDIA's, on Linux), by model; [] if none."""
    found = []
    with contextlib.suppress(OSError):
        for gpu in sorted(driver.iterdir()):
            with contextlib.suppress(OSError):
                for line in (gpu / "information").read_text(encoding="utf-8", errors="replace").splitlines():
                    key, _, value = line.partition(":")
                    if key.strip() == "Model" and value.strip():
                        found.append(" ".join(value.split()))
    return found


def identity() -> dict:
    """What of the machine a hardware-dependent example's output depends on: processor, cores, accelerators."""
    return {"cpu": cpu_model(), "cores": cores(), "accelerators": accelerators()}


def describe(modules: set[str] = frozenset()) -> dict:
    """Where and when this process runs: processor, cores, accelerators, OS, Python, the time (UTC).

    Then what each registered probe adds (:func:`add_probe`), given the
    ``modules`` the example imported; a probe that fails adds nothing.
    """
    described = {
        **identity(),
        "os": f"{platform.system()} {platform.release()} {platform.machine()}".strip(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    for probe in _probes:
        with contextlib.suppress(Exception):
            described.update(probe(set(modules)) or {})
    return described
