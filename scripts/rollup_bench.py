"""Time the county comparison at province size on a scratch database (its name must contain
"bench"): builds the bench app's province (15,000 schools in 100 counties spread over 11
cities of 9-10 counties, as 江西省; ``--years`` years, default 2) unless it is already there,
then times ``rollup.comparison.compare``, the page, its .xlsx and its PDF twice: for the
province (a row per county: 100 rows) and for one city (the city of 第7县, 10 counties; the
province's staff choosing it with ``?region=``), and a county's rank sentence among its
city's counties. Each figure is the median of ``--repeat`` runs (the first, cold, included;
the query count is the last run's).

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
    city = county.parent
    year = bench_data.LAST_YEAR
    print(f"{province.name}: {province.children.count()} cities, "
          f"{province.subtree().filter(level=Region.Level.COUNTY).count()} counties")

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

    client = Client()
    client.force_login(User.objects.get(username=bench_data.STAFF_USERNAME))
    for region, query in ((province, ""), (city, f"?region={city.pk}")):
        result = timed(f"compare({region.name})", lambda region=region: compare(region, year))
        print(f"  {len(result.rows)} counties, {result.total.values['schools']:,} schools, "
              f"{result.total.values['students']:,} students; income per school {result.total.values['income_per_school']}")
        for suffix in ("", "xlsx/", "pdf/"):
            url = f"/rollup/{year}/{suffix}{query}"
            response = timed(f"GET {url}", lambda url=url: client.get(url))
            assert response.status_code == 200, (url, response.status_code)
    print("  " + timed(f"rank_sentence({county.name})", lambda: rank_sentence(county, year)))
    print(f"database: {connection.vendor}")


if __name__ == "__main__":
    main()
