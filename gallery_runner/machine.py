"""The machine an example ran on, as a reader would name it: kept with its results in the execution cache.

An output may come from another machine and another day than the build that
publishes it (a shard, a cache filled elsewhere), so each cache entry records
where and when its example ran (:func:`describe`). This is a record, not part
of the fingerprint: the same example on another machine reuses the entry.
"""

from __future__ import annotations

import os
import platform
from datetime import datetime, timezone
from pathlib import Path


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


def describe() -> dict:
    """Where and when this process runs: processor, core count, OS, Python, the date (UTC)."""
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count() or 0,
        "os": f"{platform.system()} {platform.release()} {platform.machine()}".strip(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
