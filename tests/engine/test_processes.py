"""gallery_runner.processes: what an example's process leaves running is found and ended."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from gallery_runner import processes


def test_the_group_of_an_ended_leader_is_listed_ended_and_left_empty():
    # A leader that starts a grandchild in its own group and exits at once, leaving it running.
    leader = subprocess.Popen([sys.executable, "-c",
                               "import os, subprocess; os.setpgid(0, 0); "
                               "subprocess.Popen(['sleep', '637.25']); os._exit(0)"])
    deadline = time.monotonic() + 20
    while not processes.members(leader.pid, exclude=leader.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.waitid(os.P_PID, leader.pid, os.WEXITED | os.WNOWAIT)  # ended, not yet reaped
    left = processes.end_leftovers(leader.pid)
    leader.wait()
    assert [leftover.command for leftover in left] == ["sleep 637.25"]
    assert str(left[0]) == f"sleep 637.25 (process {left[0].pid})"
    assert not processes.members(leader.pid)


def test_a_group_with_nothing_left_costs_one_look_and_signals_nothing():
    leader = subprocess.Popen([sys.executable, "-c", "import os; os.setpgid(0, 0)"])
    os.waitid(os.P_PID, leader.pid, os.WEXITED | os.WNOWAIT)
    start = time.perf_counter()
    assert processes.end_leftovers(leader.pid) == []
    assert time.perf_counter() - start < processes.GRACE_SECONDS
    leader.wait()


def test_members_leave_out_zombies_and_the_excluded_leader():
    assert processes.members(os.getpgid(0), exclude=os.getpid()) == [
        m for m in processes.members(os.getpgid(0)) if m.pid != os.getpid()]
