"""Time the county comparison at province size on a scratch database (its name must contain
"bench"): builds the bench app's province (15,000 schools in 100 counties; ``--years`` years,
default 2) unless it is already there, then times ``rollup.comparison.compare`` and the page.

    DATABASE_URL=sqlite:////tmp/rollup_bench.sqlite3 .venv/bin/python scripts/rollup_bench.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ws_rollup_bench .venv/bin/python scripts/rollup_bench.py
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def main():
    from bench import data as bench_data
    from rollup.comparison import compare, rank_sentence
    from workstudy.models import Region, User

    parser = argparse.ArgumentParser()
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not bench_data.is_scratch_database():
        sys.exit(f"{bench_data.database_label()}: not a scratch database (its name must contain 'bench')")
    call_command("migrate", verbosity=0)
    size = bench_data.make_size("province", years=args.years)
    if not bench_data.matches(size):
        started = time.perf_counter()
        bench_data.build(size)
        print(f"built {size.describe()} in {time.perf_counter() - started:.0f} s")
    province = Region.objects.get(name="基准省")
    county = Region.objects.get(name="第7县")
    year = bench_data.LAST_YEAR

    def timed(label, fn):
        times = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                result = fn()
                times.append(time.perf_counter() - started)
        print(f"{label}: median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms, "
              f"{len(queries)} queries")
        return result

    result = timed("compare(province)", lambda: compare(province, year))
    print(f"  {len(result.rows)} counties, {result.total.values['schools']:,} schools, "
          f"{result.total.values['students']:,} students; income per school {result.total.values['income_per_school']}")
    print("  " + timed("rank_sentence(county)", lambda: rank_sentence(county, year)))
    client = Client()
    client.force_login(User.objects.get(username=bench_data.STAFF_USERNAME))
    for suffix in ("", "xlsx/", "pdf/"):
        url = f"/rollup/{year}/{suffix}"
        response = timed(f"GET {url}", lambda url=url: client.get(url))
        assert response.status_code == 200, (url, response.status_code)
    print(f"database: {connection.vendor}")


if __name__ == "__main__":
    main()
