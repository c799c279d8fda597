"""The PDF worker's place in the queue for the CPU (no Django here: a child process can test it)."""

from __future__ import annotations

import os


def lower(niceness: int, idle: bool) -> list[str]:
    """Lower this process's CPU priority so that pages are served first; returns what was done.

    ``niceness`` > 0: ``os.nice`` by that much. ``idle``: Linux's idle scheduling policy
    (``SCHED_IDLE``), under which the process runs only on a core no other process wants: a web
    worker that wakes up takes the core from it at once. A nice value alone only shares the
    core in proportion (nice 10 still left the worker a fifth of the machine while the pages
    queued). Where the policy does not exist or is refused, the nice value stays."""
    done = []
    if niceness > 0:
        os.nice(niceness)
        done.append(f"nice {niceness}")
    if idle and hasattr(os, "SCHED_IDLE"):
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        except OSError:
            pass
        else:
            done.append("SCHED_IDLE")
    return done


def _machine_ticks() -> tuple[int, int] | None:
    """(busy, total) CPU ticks of the whole machine since boot (Linux ``/proc/stat``), or None."""
    try:
        with open("/proc/stat") as handle:
            fields = [int(value) for value in handle.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    if len(fields) < 5:
        return None
    idle = fields[3] + fields[4]  # idle and waiting for I/O
    return sum(fields) - idle, sum(fields)


def _own_seconds() -> float:
    times = os.times()
    return times.user + times.system


class OthersLoad:
    """How busy the machine's cores were with *other* processes' work (the web workers, the
    database) between two readings: the PDF worker asks before it takes a job. The idle
    policy is not enough on its own: measured under load, a render beside busy web workers
    still slowed their pages (it shares the cores' caches and memory, and its queries run in
    the database at normal priority)."""

    def __init__(self, read_machine=_machine_ticks, read_own=_own_seconds, ticks_per_second: int | None = None):
        self._read_machine, self._read_own = read_machine, read_own
        self._ticks = ticks_per_second or (os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100)
        self._last = None

    def since_last(self) -> float:
        """The share (0-1) of all the machine's CPU time since the last call used by other
        processes; 0.0 at the first call and where the machine's counters cannot be read."""
        machine, own = self._read_machine(), self._read_own()
        last, self._last = self._last, (machine, own)
        if machine is None or last is None or last[0] is None:
            return 0.0
        busy, total = machine[0] - last[0][0], machine[1] - last[0][1]
        if total <= 0:
            return 0.0
        others = busy - (own - last[1]) * self._ticks
        return min(1.0, max(0.0, others / total))
