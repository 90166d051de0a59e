"""What each benchmark does with its result: show it beside the previous run's, and keep it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "_build" / "benchmarks"


def publish(name: str, result: dict, report: Callable[[dict, dict | None], str]) -> Path:
    """Print ``report(result, previous)`` and write ``_build/benchmarks/<name>.json`` and a dated copy.

    ``previous`` is the result that file held before, if any; ``result["date"]`` dates the copy.
    """
    OUT.mkdir(parents=True, exist_ok=True)
    latest = OUT / f"{name}.json"
    previous = json.loads(latest.read_text()) if latest.is_file() else None
    print()
    print(report(result, previous))
    text = json.dumps(result, indent=2) + "\n"
    latest.write_text(text)
    stamp = result["date"].replace(":", "").replace("-", "")
    (OUT / f"{name}-{stamp}.json").write_text(text)
    return latest
