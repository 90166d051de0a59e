"""How long the site takes to build, against how long its examples take to run.

Run it with ``make bench`` (or ``python benchmarks/build_speed.py --help``).
In each round, on a fresh copy of the project, it times:

1. floor: all the examples run one after another in one fresh Python process
   (imports included, in tutorial order, figures drawn with Agg), which is
   the least any build that executes them can cost;
2. clean: ``make html`` with no previous output (English and every
   translation), and the same with ``LANGUAGES=`` (English only);
3. no-op: ``make html`` again, nothing changed;
4. one example: ``make html`` after editing one example (a comment appended),
   against that example's own run time as a script in a fresh process;
5. the peak memory (largest resident set of any process) of the clean build;
6. cache-only: ``make html EXECUTE=never`` (every language) in another fresh
   copy, from the clean build's execution cache: no example runs.

Once, after the rounds, a simulated gallery of ``--gallery`` (200) synthetic
examples whose run times are drawn from the real examples' recorded times:
its partition over 4, 8 and 16 shards (``make examples SHARD=i/N``: the
longest shard against the ideal, total / N, target <= 1.10), and the
cache-only build of such a gallery (generated into a copy of the fixture
site, its cache filled first, untimed).

Every figure is the median of ``--rounds`` rounds (3 by default). The table is
printed and written, with the raw times, machine and versions, to
``_build/benchmarks/build_speed.json`` (and a timestamped copy beside it);
the previous run's medians are shown next to the new ones. Times are
reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import runpy
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT_FILES = ["conf.py", "requirements.txt", "pyproject.toml", "requirements-examples.txt", "Makefile", "docs",
                 "gallery_runner", "tools",
                 *sorted(p.name for p in ROOT.glob("examples_*"))]
GENERATED = ["_build", "auto_examples", "sg_execution_times.rst", "__pycache__"]

# Runs its arguments as scripts, one after another, in this one process, and
# prints each one's time as JSON.
FLOOR = """
import json, runpy, sys, time
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
times = {}
for path in sys.argv[1:]:
    start = time.perf_counter()
    runpy.run_path(path, run_name="__main__")
    plt.close("all")
    times[path.rsplit("/", 1)[-1]] = time.perf_counter() - start
print(json.dumps(times))
"""

# Runs a command and prints its wall time and the peak RSS of its processes.
MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
ran = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
errors = ran.stderr.decode("utf-8", "replace")[-4000:] if ran.returncode else ""
print(json.dumps({"code": ran.returncode, "wall": wall, "peak_mib": peak / 1024, "errors": errors}))
"""


def examples_in_order() -> list[Path]:
    """Every example, gallery by gallery, in the order conf.py gives."""
    from tutorial_site.ordering import ExampleOrder

    conf = runpy.run_path(str(ROOT / "conf.py"))
    order = ExampleOrder(tuple(conf["example_order"]))
    paths = []
    for folder in conf["sphinx_gallery_conf"]["examples_dirs"]:
        scripts = (ROOT / "docs" / folder).resolve().glob("*.py")
        paths += sorted(scripts, key=lambda p: order(p.name))
    return paths


def measure(command: list[str], cwd: Path, env: dict) -> dict:
    result = subprocess.run([sys.executable, "-c", MEASURE, *command],
                            cwd=cwd, env=env, capture_output=True, text=True, check=True)
    measured = json.loads(result.stdout)
    if measured["code"] != 0:
        sys.exit(f"{' '.join(command)} failed in {cwd}:\n{measured['errors']}{result.stderr}")
    return measured


def fresh_copy(parent: Path) -> Path:
    project = Path(tempfile.mkdtemp(prefix="project-", dir=parent))
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns(*GENERATED))
        else:
            shutil.copy2(source, project / name)
    return project


def recorded_times(folder: Path) -> dict[str, float]:
    from gallery_runner.cache import recorded_times as read

    return read(folder)


def one_round(examples: list[Path], edited: str, scratch: Path, env: dict, recorded: dict) -> dict:
    make_html = ["make", "-s", "html", f"VIRTUAL_ENV={sys.prefix}"]
    floor = measure([sys.executable, "-c", FLOOR, *map(str, examples)], scratch, env)
    english_only = fresh_copy(scratch)
    clean_english = measure([*make_html, "LANGUAGES="], english_only, env)
    shutil.rmtree(english_only)
    project = fresh_copy(scratch)
    clean = measure(make_html, project, env)
    publisher = fresh_copy(scratch)
    cache_only = measure([*make_html, "EXECUTE=never", f"EXECUTION_CACHE={project / '_build' / 'execution-cache'}"],
                         publisher, env)
    shutil.rmtree(publisher)
    recorded.update(recorded_times(project / "_build" / "execution-cache"))
    noop = measure(make_html, project, env)
    script = next(project.glob(f"examples_*/{edited}"))
    with script.open("a", encoding="utf-8") as f:
        # A change to the program, not to its prose: a new comment would need its translation first.
        f.write("\n_edited_by_the_benchmark = True\n")
    one = measure(make_html, project, env)
    own = measure([sys.executable, str(script)], scratch, env)
    shutil.rmtree(project)
    return {
        "floor_s": floor["wall"], "clean_s": clean["wall"], "clean_english_s": clean_english["wall"],
        "noop_s": noop["wall"], "cache_only_s": cache_only["wall"],
        "one_example_s": one["wall"], "example_alone_s": own["wall"],
        "clean_peak_mib": clean["peak_mib"],
    }


ROWS = [
    ("floor_s", "floor: all examples, one process", "s"),
    ("clean_s", "clean make html", "s"),
    ("clean_english_s", "clean make html, English only", "s"),
    ("noop_s", "no-op make html", "s"),
    ("cache_only_s", "make html EXECUTE=never, full cache", "s"),
    ("one_example_s", "make html after editing one example", "s"),
    ("example_alone_s", "that example alone, as a script", "s"),
    ("clean_peak_mib", "peak memory of the clean build", "MiB"),
]


def report(result: dict, previous: dict | None) -> str:
    medians = result["medians"]
    lines = [f"{'measurement':<40} {'median':>10}" + (f" {'previous':>10}" if previous else "")]
    for key, label, unit in ROWS:
        line = f"{label:<40} {medians[key]:>8.2f} {unit:<3}"
        if previous and key in previous.get("medians", {}):
            line += f" {previous['medians'][key]:>7.2f} {unit}"
        lines.append(line.rstrip())
    ratios = result["ratios"]
    lines += [
        "",
        f"clean / floor                      {ratios['clean_over_floor']:.2f}x   (target <= 1.0)",
        f"all languages / English only       {ratios['languages_over_english']:.2f}x   (target <= 1.3)",
        f"no-op                              {medians['noop_s']:.2f} s  (target <= 1.0 s)",
        f"one example - example alone        {ratios['one_example_minus_alone_s']:+.2f} s "
        "(target <= +2 s)",
        f"one example / example alone        {ratios['one_example_over_alone']:.2f}x",
        f"(medians of {result['rounds']} rounds; edited example: {result['edited_example']})",
    ]
    gallery = result.get("simulated_gallery")
    if gallery:
        lines += ["", f"simulated gallery: {gallery['examples']} examples, {gallery['total_s']:.0f} s of runs "
                  "drawn from the recorded times"]
        for shards, row in gallery["partitions"].items():
            lines.append(f"  {shards:>2} shards: longest {row['longest_s']:.1f} s, ideal {row['ideal_s']:.1f} s, "
                         f"{row['ratio']:.3f}x  (target <= 1.10)")
        lines.append(f"  cache-only make html of that gallery: {gallery['cache_only_s']:.2f} s "
                     f"(its cache filled in {gallery['fill_s']:.1f} s, untimed by the rounds)")
    return "\n".join(lines)


SYNTHETIC = '''"""
Synthetic example {n}
=====================

One of the benchmark's simulated gallery: it fits nothing, prints a few losses and draws them.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

losses = list(np.geomspace(100.0, 1.0, 20) * (1 + {n} / 1000))
for step in (0, 10, 19):
    print(f"step {{step:2d}}  loss {{losses[step]:.4f}}")

# %%
fig, ax = plt.subplots(figsize=(4, 3))
ax.plot(losses, label="loss")
ax.set(title="Synthetic example {n}", xlabel="step", ylabel="loss", yscale="log")
'''


def simulated_gallery(size: int, recorded: dict, scratch: Path, env: dict) -> dict:
    """Partition ``size`` examples with drawn run times over 4, 8, 16 shards; time a cache-only build of such a gallery."""
    import random
    import time

    from gallery_runner.shards import partition

    times = sorted(recorded.values()) or [1.0]
    rng = random.Random(2026)
    costs = {f"auto_examples/synthetic/example_{i:03}.py": rng.choice(times) for i in range(size)}
    total = sum(costs.values())
    partitions = {}
    for shards in (4, 8, 16):
        longest = max(sum(costs[name] for name in part) for part in partition(costs, shards))
        partitions[str(shards)] = {"longest_s": longest, "ideal_s": total / shards,
                                   "ratio": longest / (total / shards)}

    def gallery_copy(name: str) -> Path:
        project = scratch / name
        shutil.copytree(ROOT / "tests" / "fixture_site", project, ignore=shutil.ignore_patterns(*GENERATED))
        shutil.copy2(ROOT / "requirements.txt", project / "requirements.txt")
        shutil.copy2(ROOT / "pyproject.toml", project / "pyproject.toml")
        for n in range(size):
            folder = project / ("examples_line" if n % 2 else "examples_curve")
            (folder / f"synthetic_{n:03}.py").write_text(SYNTHETIC.format(n=n), encoding="utf-8")
        return project

    filler = gallery_copy("gallery-filler")
    sphinx = [sys.executable, str(ROOT / "tools" / "sphinx_build.py")]
    start = time.perf_counter()
    subprocess.run([*sphinx, "-b", "dummy", "docs", "_build/examples", "-d", "_build/doctrees-examples", "-c", ".",
                    "-D", "example_shard=1/1"], cwd=filler, env=env, check=True, capture_output=True)
    fill = time.perf_counter() - start
    publisher = gallery_copy("gallery-publisher")
    built = measure([*sphinx, "-M", "html", "docs", "_build", "-c", ".", "-W", "--keep-going"], publisher,
                    {**env, "EXECUTE": "never", "EXECUTION_CACHE": str(filler / "_build" / "execution-cache")})
    return {"examples": size, "total_s": total, "partitions": partitions, "fill_s": fill,
            "cache_only_s": built["wall"]}


def versions() -> dict:
    from importlib.metadata import version

    names = ["sphinx", "sphinx-gallery", "torch", "numpy", "matplotlib"]
    found = {name: version(name) for name in names}
    for tf in ("tensorflow-cpu", "tensorflow"):
        try:
            found[tf] = version(tf)
            break
        except Exception:
            pass
    return found


def main() -> None:
    from results import publish  # beside this script

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds to take the median of")
    parser.add_argument("--example", default="dynamic_net.py", help="the example to edit")
    parser.add_argument("--gallery", type=int, default=200, help="examples in the simulated gallery (0: none)")
    args = parser.parse_args()

    examples = examples_in_order()
    env = dict(os.environ, MPLBACKEND="Agg")
    env.pop("VIRTUAL_ENV", None)  # the Makefile gets it explicitly
    rounds = []
    recorded: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="build-speed-") as scratch:
        for n in range(args.rounds):
            rounds.append(one_round(examples, args.example, Path(scratch), env, recorded))
            print(f"round {n + 1}/{args.rounds}: "
                  + ", ".join(f"{k} {v:.2f}" for k, v in rounds[-1].items()), flush=True)
        gallery = simulated_gallery(args.gallery, recorded, Path(scratch), env) if args.gallery else None

    medians = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
    result = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                    "python": platform.python_version()},
        "versions": versions(),
        "command": "make bench",
        "rounds": args.rounds,
        "edited_example": args.example,
        "medians": medians,
        "ratios": {
            "clean_over_floor": medians["clean_s"] / medians["floor_s"],
            "languages_over_english": medians["clean_s"] / medians["clean_english_s"],
            "one_example_over_alone": medians["one_example_s"] / medians["example_alone_s"],
            "one_example_minus_alone_s": medians["one_example_s"] - medians["example_alone_s"],
        },
        "raw": rounds,
        "simulated_gallery": gallery,
    }

    latest = publish("build_speed", result, report)
    print(f"\nwritten to {latest.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
