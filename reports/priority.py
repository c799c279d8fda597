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
