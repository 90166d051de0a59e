"""Executing once, anywhere: fill the cache by shards, plan the shards, prune the cache.

``make examples SHARD=i/N`` (``example_shard``) runs the i-th of N shares of
the examples, stores those the cache lacks and stops the build; the pages
come from one ordinary build that reads the cache (``EXECUTE=never``). The
shares are a partition of every example by costs guessed from the sources
alone (or by a plan that ``make plan`` wrote, ``example_plan``), so they do
not depend on what the cache holds when a shard starts: N shards into one
folder, in turn or at once, leave every example in it.
"""

from __future__ import annotations

import json
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

from . import cache, fingerprint, runner, seam, uses
from .driver import Pending, cache_folder, execute, fingerprinted, store_results
from .examples import all_examples
from .staleness import guess_cost

logger = logging.getLogger(__name__)


def fill_or_plan(app: Sphinx) -> None:
    """``make examples SHARD=i/N``, ``make plan`` and ``make prune-cache``: do that, and stop the build."""
    if not app.config.sphinx_gallery_conf.get("plot_gallery"):
        return
    execute = app.config.execute
    if execute != "prune" and not execute.startswith("plan:") and not app.config.example_shard:
        return
    runner.set_rules(app.config)
    fingerprint.new_build()
    uses.forget()
    folder = cache_folder(app)
    if execute == "prune":
        prune_cache(app, folder)
    elif execute.startswith("plan:"):
        write_plan(app, folder, execute.removeprefix("plan:"))
    else:
        run_shard(app, folder)


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/3"`` -> (2, 3): the second of three shards."""
    index, _, count = text.partition("/")
    try:
        i, n = int(index), int(count)
    except ValueError:
        i = n = 0
    if not 1 <= i <= n:
        raise ValueError(f"SHARD={text} is not a shard: write SHARD=i/N with 1 <= i <= N, e.g. SHARD=2/3")
    return i, n


def partition(costs: dict[str, float], shards: int) -> list[list[str]]:
    """Split the examples over ``shards``: longest first, each onto the least-loaded shard.

    The same costs give the same partition on every machine (ties are
    broken by name, then by shard number).
    """
    loads = [0.0] * shards
    parts: list[list[str]] = [[] for _ in range(shards)]
    for name, cost in sorted(costs.items(), key=lambda item: (-item[1], item[0])):
        lightest = min(range(shards), key=lambda j: (loads[j], j))
        parts[lightest].append(name)
        loads[lightest] += cost
    return parts


def missing_from_cache(app: Sphinx, folder: Path) -> tuple[list[Pending], dict[str, str], dict[str, Path]]:
    """Every example run in this build that has no valid entry in the cache; every fingerprint; every source."""
    conf = app.config.sphinx_gallery_conf
    missing, keys, sources = [], {}, {}
    for example in all_examples(app):
        if not seam.is_run(example.source, conf):
            continue
        name, parts = fingerprinted(app, example)
        key = keys[name] = fingerprint.key(parts)
        sources[name] = example.source
        try:
            if cache.lookup(folder, key, parts) is not None:
                continue
        except cache.Damaged as error:
            logger.info("%s: its entry in the execution cache is damaged (%s); it runs again", example.name, error)
        missing.append(Pending(example, name, parts, key, "no entry in the execution cache"))
    return missing, keys, sources


def shares(folder: Path, missing: list[Pending], count: int) -> tuple[list[list[str]], dict[str, float]]:
    """The partition of ``missing`` over ``count`` shards, by the run times the cache recorded (or guesses): a plan.

    Only what every machine sees alike counts: the cache and the sources, not
    a checkout's own record of its last run.
    """
    recorded = cache.recorded_times(folder)
    costs = {item.name: recorded.get(item.name) or guess_cost(item.example.source) for item in missing}
    return partition(costs, count), costs


def write_plan(app: Sphinx, folder: Path, shards: str) -> None:
    """Write every example's fingerprint and the partition of the missing ones (``make plan``), and stop."""
    try:
        count = parse_shard(f"1/{shards}")[1]
    except ValueError as error:
        logger.error("SHARDS=%s is not a number of shards: %s", shards, error)
        raise SystemExit(2) from None
    missing, keys, _ = missing_from_cache(app, folder)
    parts, costs = shares(folder, missing, count)
    plan_dir = Path(app.outdir)
    plan_dir.mkdir(parents=True, exist_ok=True)
    # One line per example: the workflow's cache key is the hash of this file.
    (plan_dir / "fingerprints.txt").write_text("".join(f"{keys[name]} {name}\n" for name in sorted(keys)),
                                               encoding="utf-8")
    plan = {"fingerprints": keys, "missing": sorted(costs), "shards": [
        {"shard": f"{i}/{count}", "examples": share, "seconds": round(sum(costs[n] for n in share), 2)}
        for i, share in enumerate(parts, 1)]}
    (plan_dir / "plan.json").write_text(json.dumps(plan, indent=1), encoding="utf-8")
    logger.info("%d of %d examples are missing from the execution cache %s", len(missing), len(keys), folder)
    for share in plan["shards"]:
        logger.info("  shard %s: %.1f s: %s", share["shard"], share["seconds"], ", ".join(share["examples"]) or "-")
    raise SystemExit(0)


def planned_shares(path: Path, count: int) -> list[list[str]]:
    """The shares of a plan written by :func:`write_plan` for ``count`` shards."""
    try:
        plan = json.loads(path.read_text(encoding="utf-8"))
        shards = [list(share["examples"]) for share in plan["shards"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        logger.error("PLAN=%s is not a plan written by make plan (%s): write one with make plan SHARDS=%d",
                     path, error, count)
        raise SystemExit(2) from None
    if len(shards) != count:
        logger.error("PLAN=%s splits the examples into %d shards, not %d: write it with make plan SHARDS=%d",
                     path, len(shards), count, count)
        raise SystemExit(2)
    return shards


def prune_cache(app: Sphinx, folder: Path) -> None:
    """Remove the cache's entries that no current example can use (``make prune-cache``), and stop the build.

    Kept: the entries of each example's fingerprint whose distributions are all
    installed here in the versions they recorded.
    """
    keep = {entry.folder.name for example in all_examples(app)
            for entry in cache.usable(folder, fingerprint.key(fingerprinted(app, example)[1]))}
    removed = cache.prune(folder, keep)
    logger.info("execution cache %s: removed %d entr%s, kept %d", folder, len(removed),
                "y" if len(removed) == 1 else "ies", len(keep))
    raise SystemExit(0)


def run_shard(app: Sphinx, folder: Path) -> None:
    """Run this shard's share of the examples missing from the cache, store them, and stop the build."""
    try:
        index, count = parse_shard(app.config.example_shard)
    except ValueError as error:
        logger.error("%s", error)
        raise SystemExit(2) from None
    missing, _, sources = missing_from_cache(app, folder)
    if app.config.example_plan:
        # The partition the plan made (make plan), whatever this machine's cache holds.
        parts = planned_shares(Path(app.config.example_plan), count)
    else:
        # Every example, by costs read from the sources alone: the same shares
        # for every shard, whatever the cache held when each started.
        parts = partition({name: guess_cost(source) for name, source in sources.items()}, count)
    mine = set(parts[index - 1])
    recorded = cache.recorded_times(folder)
    share = sorted((item for item in missing if item.name in mine),
                   key=lambda item: (recorded.get(item.name) or guess_cost(item.example.source), item.name),
                   reverse=True)
    logger.info("shard %d/%d: %d of its %d examples are missing from the execution cache %s: %s", index, count,
                len(share), len(mine), folder, ", ".join(item.name for item in share) or "none")
    conf = app.config.sphinx_gallery_conf
    forked = [item.example for item in share if runner.runs_in_parallel(item.example)]
    results = execute(app, forked) if forked else {}
    for item in share:  # those that ask to run in the Sphinx process (# sphinx_gallery_parallel = False)
        if item.example.key not in results:
            results[item.example.key] = runner.run_here(item.example, conf)
    stored = store_results(folder, share, results, conf)
    # As sphinx-gallery counts them: a failure not expected, or an expected failure that passed.
    failed = sum(1 for item in share
                 if bool((results.get(item.example.key) or (0, 0, 0, {}))[3].get("passing"))
                 == seam.expected_to_fail(item.example.source, conf))
    logger.info("shard %d/%d: stored %d entr%s; %d example%s did not end as expected", index, count, stored,
                "y" if stored == 1 else "ies", failed, "" if failed == 1 else "s")
    # Nothing else is built: the pages come from one ordinary build that reads the cache.
    raise SystemExit(1 if failed else 0)
