"""How long ``make test`` takes, and how busy it keeps the machine.

Run it with ``make bench-tests`` (or ``python benchmarks/suite_time.py --help``).
It first sets up what ``make test`` needs (the virtual environment, Chromium,
axe-core: ``make venv chromium axe-core``, not timed), so that every round is
the case the target is about: ``make test`` on a machine where the
environment exists. In each round it runs ``make test`` in this checkout,
with pytest's ``--durations=20``, and records:

1. the wall time of ``make test``, and pytest's own time and its counts;
2. the CPU time the whole machine used meanwhile (Linux: ``/proc/stat``), and
   so how busy its CPUs were: the suite runs its long jobs in idle time, so
   on a machine kept busy the time is the CPU work itself;
3. the slowest tests, as pytest lists them.

The target: at most 150 s on a 2-CPU machine. The rounds' median and slowest
are printed and written, with every round, the machine and the versions, to
``_build/benchmarks/suite_time.json`` (and a timestamped copy beside it); the
previous run's figures are shown next to the new ones. Times are reported,
never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "_build" / "benchmarks"
TARGET_S = 150.0
SUMMARY = re.compile(r"=+ (?P<counts>.*?) in (?P<seconds>[\d.]+)s(?: \([\d:]+\))? =+\s*$", re.M)
DURATION = re.compile(r"^(?P<seconds>[\d.]+)s (?P<phase>setup|call|teardown) +(?P<test>\S.*)$", re.M)


def busy_cpu_seconds() -> float | None:
    """CPU seconds the whole machine has spent busy since it started (Linux), else None."""
    try:
        fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def parse(output: str) -> dict:
    """pytest's summary line and its slowest tests, from what ``make test`` printed."""
    summary = SUMMARY.search(output)
    return {
        "pytest_s": float(summary["seconds"]) if summary else None,
        "counts": summary["counts"] if summary else "no pytest summary found",
        "slowest": [(float(m["seconds"]), m["phase"], m["test"].strip()) for m in DURATION.finditer(output)],
    }


def one_round(env: dict, log: Path) -> dict:
    busy, start = busy_cpu_seconds(), time.perf_counter()
    result = subprocess.run(["make", "test", "PYTEST_ARGS=--durations=20"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wall = time.perf_counter() - start
    after = busy_cpu_seconds()
    log.write_text(result.stdout, encoding="utf-8")
    cpu = after - busy if busy is not None and after is not None else None
    return {"make_test_s": wall, "exit_status": result.returncode, "cpu_s": cpu,
            "cpus_busy": cpu / (wall * (os.cpu_count() or 1)) if cpu is not None else None,
            **parse(result.stdout)}


def report(result: dict, previous: dict | None) -> str:
    rounds = result["raw"]
    walls = [r["make_test_s"] for r in rounds]
    lines = [f"make test, {len(rounds)} round(s) on {result['machine']['cpus']} CPUs "
             f"(target: at most {TARGET_S:.0f} s on 2 CPUs)", ""]
    head = f"{'':<26} {'median':>9} {'slowest':>9}"
    lines.append(head + (f" {'previous':>9}" if previous else ""))

    def row(label: str, values: list, unit: str, key: str, fmt: str = ".1f") -> None:
        values = [v for v in values if v is not None]
        if not values:
            return
        line = f"{label:<26} {statistics.median(values):>7{fmt}} {unit:<1} {max(values):>7{fmt}} {unit:<1}"
        if previous and previous.get("medians", {}).get(key) is not None:
            line += f" {previous['medians'][key]:>7{fmt}} {unit}"
        lines.append(line.rstrip())

    row("make test", walls, "s", "make_test_s")
    row("pytest's own time", [r["pytest_s"] for r in rounds], "s", "pytest_s")
    row("CPU used (whole machine)", [r["cpu_s"] for r in rounds], "s", "cpu_s", ".0f")
    busy = [r["cpus_busy"] for r in rounds if r["cpus_busy"] is not None]
    if busy:
        lines.append(f"{'CPUs busy':<26} {statistics.median(busy):>8.0%}")
    lines += ["", "each round: " + "; ".join(f"{r['make_test_s']:.1f} s, {r['counts']}"
                                             + ("" if r["exit_status"] == 0 else f", exit status {r['exit_status']}")
                                             for r in rounds)]
    verdict = "within" if max(walls) <= TARGET_S else "OVER"
    lines.append(f"slowest round {max(walls):.1f} s: {verdict} the {TARGET_S:.0f} s target")
    median_round = sorted(rounds, key=lambda r: r["make_test_s"])[(len(rounds) - 1) // 2]
    if median_round["slowest"]:
        lines += ["", "slowest tests of the median round:"]
        lines += [f"  {seconds:6.2f} s  {phase:<8} {test}" for seconds, phase, test in median_round["slowest"]]
    return "\n".join(lines)


def versions() -> dict:
    """Chromium's and axe-core's, which the browser tests' time depends on."""
    found = {"chromium": None, "axe-core": None}
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if chromium:
        found["chromium"] = subprocess.run([chromium, "--version"], capture_output=True, text=True).stdout.strip()
    axe = ROOT / "node_modules" / "axe-core" / "package.json"
    if axe.is_file():
        found["axe-core"] = json.loads(axe.read_text(encoding="utf-8"))["version"]
    return found


def main() -> None:
    from results import publish  # beside this script

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of make test (default 3)")
    args = parser.parse_args()

    env = dict(os.environ)
    subprocess.run(["make", "--no-print-directory", "venv", "chromium", "axe-core"], cwd=ROOT, env=env, check=True)
    OUT.mkdir(parents=True, exist_ok=True)
    rounds = []
    for n in range(args.rounds):
        rounds.append(one_round(env, OUT / f"suite_time-round{n + 1}.log"))
        print(f"round {n + 1}/{args.rounds}: make test {rounds[-1]['make_test_s']:.1f} s, {rounds[-1]['counts']}",
              flush=True)

    keys = ["make_test_s", "pytest_s", "cpu_s"]
    result = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "processor": platform.processor() or platform.machine(),
                    "cpus": os.cpu_count(), "python": platform.python_version()},
        "versions": versions(),
        "command": "make bench-tests",
        "rounds": args.rounds,
        "medians": {key: statistics.median(v) if (v := [r[key] for r in rounds if r[key] is not None]) else None
                    for key in keys},
        "slowest_round_s": max(r["make_test_s"] for r in rounds),
        "target_s": TARGET_S,
        "raw": rounds,
    }
    latest = publish("suite_time", result, report)
    print(f"\nwritten to {latest.relative_to(ROOT)} (each round's output: suite_time-round*.log)")


if __name__ == "__main__":
    main()
