"""What the heaviest pages cost in one process after the changes a deadline day makes.

The load test's figures move with the machine (the same code's CPU per request differed by half
between two runs of one session); this measures the pages alone, on the load test's data, so two
versions of the code compare on the same machine within minutes.

Each round changes ``--lines`` production lines (their quantity) and ``--returns`` returns (their
status, submitted or draft), as principals and staff do, then reads each page once as a staff
member (the checklist as the principal of a school not among those changed); it prints, per
page, the median over the rounds of its thread's CPU time and of its
database statements. Run it after ``make loadtest`` (its database and ``var/loadtest/users.json``
stay; the next run rebuilds both), from the project's root:

    .venv/bin/python scripts/loadtest/after_change.py [--rounds 9] [--lines 5] [--returns 3]

It writes to the load test's database (``LOADTEST_DATABASE_URL``) and uses Redis database 12
(``AFTER_CHANGE_REDIS_URL``), which it empties first.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def _setup() -> None:
    os.environ.update(
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=os.environ.get("LOADTEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ws_loadtest"),
        REDIS_URL=os.environ.get("AFTER_CHANGE_REDIS_URL", "redis://127.0.0.1:6379/12"),
        MEDIA_ROOT=str(ROOT / "var" / "loadtest" / "media"),
        LOG_LEVEL="ERROR",
    )
    os.environ.pop("DEBUG", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.cache import cache

    cache.clear()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--lines", type=int, default=5, help="production lines changed before each page")
    parser.add_argument("--returns", type=int, default=3, help="returns whose status changes before each page")
    parser.add_argument("--users", default=str(ROOT / "var" / "loadtest" / "users.json"))
    args = parser.parse_args()
    if not Path(args.users).is_file():
        raise SystemExit(f"{args.users} not found: run `make loadtest` first (it builds the data this measures)")
    _setup()

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from labor_bases.models import ProductionLine
    from workstudy.models import Submission, SubmissionStatus

    users = json.loads(Path(args.users).read_text())
    year = users["year"]
    client = Client(HTTP_HOST="testserver")
    client.force_login(get_user_model().objects.get(username=users["staff"][0]))
    principal = Client(HTTP_HOST="testserver")  # the most requested page is a principal's checklist
    principal.force_login(get_user_model().objects.get(username=users["principals"][-1]["username"]))
    others = users["principals"][:-1]  # the checklist's school is not among those changed
    lines = [p["line"] for p in others]
    returns = list(Submission.objects.filter(year_id=year, school_id__in=[p["school_id"] for p in others]))
    rng = random.Random(7)

    def change() -> None:
        for pk in rng.sample(lines, args.lines):
            line = ProductionLine.objects.get(pk=pk)
            line.quantity = Decimal(rng.randint(100, 1500))
            line.save()
        for submission in rng.sample(returns, args.returns):
            submission.refresh_from_db()
            submitted = submission.status == SubmissionStatus.SUBMITTED
            submission.status = SubmissionStatus.DRAFT if submitted else SubmissionStatus.SUBMITTED
            submission.save()

    pages = {
        "summary page": (client, f"/reports/{year}/"),
        "grid (submitted)": (client, f"/?year={year}&status=submitted&q=负载测试"),
        "grid (a page)": (client, f"/?year={year}&page=2"),
        "return page": (client, f"/submissions/{returns[0].pk}/"),
        "a principal's checklist (another school's data changed)": (principal, "/"),
    }
    print(f"| page (after {args.lines} lines and {args.returns} returns changed) | CPU ms (median) | statements |")
    print("|---|---:|---:|")
    for name, (client, url) in pages.items():
        client.get(url, secure=True)  # this process's first read of each kept value is not what is measured
        cpu, statements = [], []
        for _round in range(args.rounds):
            change()
            with CaptureQueriesContext(connection) as queries:
                started = time.thread_time()
                response = client.get(url, secure=True)  # as behind the TLS-terminating balancer
                cpu.append((time.thread_time() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url}: {response.status_code}")
            statements.append(len(queries))
        print(f"| {name} | {statistics.median(cpu):.1f} | {statistics.median(statements):.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
