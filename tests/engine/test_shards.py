"""Unit tests of gallery_runner.shards: the partition over shards, and the SHARD=i/N form."""

from __future__ import annotations

import pytest

from gallery_runner import shards


def test_the_partition_is_deterministic_covers_every_example_once_and_is_balanced():
    import random

    rng = random.Random(7)
    costs = {f"g/example_{i:03}.py": rng.choice([0.4, 1.1, 2.3, 5.0, 9.7]) for i in range(200)}
    for count in (1, 4, 8, 16):
        parts = shards.partition(costs, count)
        assert parts == shards.partition(dict(reversed(list(costs.items()))), count)  # order of input: no matter
        assert sorted(name for part in parts for name in part) == sorted(costs)
        loads = [sum(costs[name] for name in part) for part in parts]
        assert max(loads) <= 1.10 * sum(costs.values()) / count
    # The longest first, each onto the least-loaded shard.
    assert shards.partition({"a": 5.0, "b": 3.0, "c": 2.0, "d": 1.0}, 2) == [["a", "d"], ["b", "c"]]
    assert shards.partition({}, 3) == [[], [], []]


@pytest.mark.parametrize("text", ["0/3", "4/3", "a/b", "3", ""])
def test_a_shard_that_is_not_one_is_refused_with_the_form_to_use(text):
    with pytest.raises(ValueError, match=r"write SHARD=i/N"):
        shards.parse_shard(text)
    assert shards.parse_shard("2/3") == (2, 3)
