"""The portal's own account of a request, as the load test logs it beside the client's."""

from __future__ import annotations

import re

_SERVER_TIMING = re.compile(r"(app|cpu|db);dur=([0-9.]+)(?:;desc=\"(\d+)\")?")


def server_timing(response) -> str:
    """The portal's own account of a request (its Server-Timing header: the time in the web
    worker, the CPU time of its thread, the database's time and statements), as four
    tab-separated columns; empty columns when the answer has none (a refused connection)."""
    header = response.headers.get("Server-Timing", "") if response is not None else ""
    found = {key: (value, statements) for key, value, statements in _SERVER_TIMING.findall(header)}
    app, cpu, db = (found.get(key, ("", ""))[0] for key in ("app", "cpu", "db"))
    return "\t".join((app, cpu, db, found.get("db", ("", ""))[1]))
