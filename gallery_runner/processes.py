"""Every process an example starts ends with it.

Each example's process leads a process group of its own (:func:`lead_own_group`,
called first thing in the child, and :func:`adopt`, the same from the Sphinx
process, so that the group exists whichever runs first). A ``subprocess``
the example starts, and whatever that starts in turn, joins the group. When
the example's process has ended, :func:`end_leftovers` lists what is still
running in its group, ends it (SIGTERM, then SIGKILL a second later) and
returns it, so that the build can warn naming the example and each process.

The group is read while the example's own process is still a zombie, before
the Sphinx process reaps it: until then its process ID cannot be reused, so
the group that is signalled is the example's and no other.

A process that leaves the group on purpose (``setsid``, a daemon's double
fork) is out of reach, as it is for a terminal's job control.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

#: How long processes left running get to end after SIGTERM, before SIGKILL.
GRACE_SECONDS = 1.0


@dataclass(frozen=True)
class Leftover:
    """A process still running in an example's group after the example ended."""

    pid: int
    command: str

    def __str__(self) -> str:
        return f"{self.command} (process {self.pid})"


def lead_own_group() -> None:
    """Make the calling process the leader of a new process group."""
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)


def adopt(pid: int) -> None:
    """From the parent: put the child ``pid`` in a group of its own (it may have done so already)."""
    with contextlib.suppress(OSError):  # already done by the child, or it has ended
        os.setpgid(pid, pid)


def members(group: int, exclude: int | None = None) -> list[Leftover]:
    """The live processes of process group ``group`` (zombies and ``exclude`` left out)."""
    if Path("/proc/self/stat").is_file():
        return _members_from_proc(group, exclude)
    return _members_from_ps(group, exclude)


def _members_from_proc(group: int, exclude: int | None) -> list[Leftover]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == exclude:
            continue
        try:
            stat = (entry / "stat").read_text(encoding="utf-8", errors="replace")
            # pid (comm) state ppid pgrp ...: comm may contain spaces and parentheses.
            name = stat[stat.index("(") + 1:stat.rindex(")")]
            state, _ppid, pgrp = stat[stat.rindex(")") + 2:].split()[:3]
            if int(pgrp) != group or state in "ZX":
                continue
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError):
            continue  # it ended while being read
        command = " ".join(arg.decode(errors="replace") for arg in argv if arg) or name
        found.append(Leftover(int(entry.name), command))
    return sorted(found, key=lambda leftover: leftover.pid)


def _members_from_ps(group: int, exclude: int | None) -> list[Leftover]:
    try:
        listing = subprocess.run(["ps", "-A", "-o", "pid=,pgid=,stat=,command="], capture_output=True,
                                 text=True, errors="replace", check=False, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    found = []
    for line in listing.splitlines():
        fields = line.split(None, 3)
        if len(fields) < 4 or not fields[0].isdigit() or not fields[1].isdigit():
            continue
        pid, pgid, state, command = int(fields[0]), int(fields[1]), fields[2], fields[3]
        if pgid == group and pid != exclude and not state.startswith("Z"):
            found.append(Leftover(pid, command.strip()))
    return sorted(found, key=lambda leftover: leftover.pid)


def end_leftovers(leader: int) -> list[Leftover]:
    """End whatever still runs in the group that ``leader`` (an ended, unreaped process) led; return it."""
    left = members(leader, exclude=leader)
    if not left:
        return []
    _signal_group(leader, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    while members(leader, exclude=leader) and time.monotonic() < deadline:
        time.sleep(0.02)
    if members(leader, exclude=leader):
        _signal_group(leader, signal.SIGKILL)
    return left


def kill_group(leader: int) -> None:
    """End at once everything in the group ``leader`` leads (the build is being interrupted)."""
    _signal_group(leader, signal.SIGKILL)


def _signal_group(group: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signum)

