"""How a build's time and page size grow with an example's printed output.

Run it with ``make bench-output`` (or ``python benchmarks/long_output.py --help``).
For each line count (``--lines``, by default 0, 20,000, 200,000 and
1,000,000), in a fresh copy of the fixture site with one more example that
prints that many lines (each about 27 characters, as a training log does),
it times a clean English ``make html`` of the copy, and measures the
example's HTML page, the page's reST source Sphinx publishes (``_sources``)
and the search index.

The extra time per line printed (over the build of the example printing
nothing) should stay the same from one count to the next: the build is
proportional to what the example prints, and the pages stay the same size
once the output is past ``example_output_lines``. The figures are printed
and written, with the machine and versions, to
``_build/benchmarks/long_output.json``; times are reported, never asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixture_site"

CHATTY = '''"""
A chatty example
================

It prints one line per training step.
"""

# %%
# Every step's loss.
for step in range({lines}):
    print(f"step {{step + 1:7d}}  loss {{1.0 / (step + 1):.8f}}")
'''


def build(lines: int, scratch: Path) -> dict:
    """One clean build of the fixture site with an example printing ``lines`` lines: its time and sizes."""
    project = Path(tempfile.mkdtemp(prefix=f"site-{lines}-", dir=scratch))
    shutil.copytree(FIXTURE, project, ignore=shutil.ignore_patterns("_build", "auto_examples", "__pycache__"),
                    dirs_exist_ok=True)
    shutil.copy2(ROOT / "requirements.txt", project / "requirements.txt")
    (project / "examples_line" / "chatty.py").write_text(CHATTY.format(lines=lines), encoding="utf-8")
    conf = project / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8").replace('"fit_curve.py"]', '"fit_curve.py", "chatty.py"]'),
                    encoding="utf-8")
    command = [sys.executable, str(ROOT / "tools" / "sphinx_build.py"), "-M", "html", str(project / "docs"),
               str(project / "_build"), "-c", str(project), "-W", "--keep-going"]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=project, capture_output=True, text=True,
                          env={**os.environ, "MPLBACKEND": "Agg"})
    seconds = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"the build with {lines:,} lines failed:\n{(done.stdout + done.stderr)[-3000:]}")
    html = project / "_build" / "html"
    sizes = {
        "page": (html / "auto_examples" / "line" / "chatty.html").stat().st_size,
        "source": (html / "_sources" / "auto_examples" / "line" / "chatty.rst.txt").stat().st_size,
        "search index": (html / "searchindex.js").stat().st_size,
    }
    return {"lines": lines, "seconds": round(seconds, 2), "bytes": sizes}


def report(result: dict, previous: dict | None) -> str:
    rows = result["runs"]
    base = next((row["seconds"] for row in rows if row["lines"] == 0), None)
    out = [f"{'lines printed':>14} {'build':>8} {'extra per 100k lines':>21} {'page':>10} {'_sources':>10} "
           f"{'search index':>13}"]
    for row in rows:
        extra = (f"{(row['seconds'] - base) / row['lines'] * 1e5:.2f} s" if base is not None and row["lines"]
                 else "")
        sizes = row["bytes"]
        out.append(f"{row['lines']:>14,} {row['seconds']:>7.2f}s {extra:>21} {sizes['page']:>10,} "
                   f"{sizes['source']:>10,} {sizes['search index']:>13,}")
    if previous:
        out.append("previous run: " + ", ".join(f"{row['lines']:,} lines {row['seconds']:.2f} s"
                                                for row in previous.get("runs", [])))
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[0, 20_000, 200_000, 1_000_000],
                        help="the line counts to build with (0: the example prints nothing)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="long-output-") as scratch:
        runs = [build(lines, Path(scratch)) for lines in args.lines]
    import sphinx
    import sphinx_gallery
    from results import publish  # beside this script
    result = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version(),
                    "sphinx": sphinx.__version__, "sphinx-gallery": sphinx_gallery.__version__},
        "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                 text=True).stdout.strip(),
        "runs": runs,
    }
    publish("long_output", result, report)


if __name__ == "__main__":
    main()
