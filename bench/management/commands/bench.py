"""``make bench``: build a county and a province of synthetic data and measure the portal.

    python manage.py bench                      # both sizes, full repetitions
    python manage.py bench --size county --quick
    python manage.py bench --schools 5 --years 2 --quick --json /tmp/b.json
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/workstudy_bench python manage.py bench --keep

The database is emptied and rebuilt for each size (it must be a scratch database: its
name has to contain "bench"; the Makefile's default is var/bench.sqlite3). ``--keep``
reuses the data already there when it has the requested size. Measurements: see
:mod:`bench.measure`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.utils import OperationalError

from bench import data as bench_data
from bench import measure as benchmark


class Command(BaseCommand):
    help = "性能基准：生成县级/省级规模的模拟数据，测量页面、接口、Excel 导入导出和年度总结（含朴素方案对比）。"

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=("county", "province", "both"), default="both")
        parser.add_argument("--schools", type=int, help="override the number of schools (one custom size)")
        parser.add_argument("--years", type=int, help="override the number of years (one custom size)")
        parser.add_argument("--quick", action="store_true", help="few repetitions and small baselines")
        parser.add_argument("--repeat", type=int, help="requests per page/API list (default 20, --quick 3)")
        parser.add_argument("--json", default="bench-results.json", help="where to write the figures")
        parser.add_argument("--markdown", help="also write the table as Markdown to this file")
        parser.add_argument("--keep", action="store_true", help="reuse the data if the database already has this size")
        parser.add_argument("--skip", default="", help="comma list of sections to skip: requests,import,export,summary")
        parser.add_argument("--import-rows", type=int, default=10_000)
        parser.add_argument("--export-rows", type=int, default=100_000)
        parser.add_argument("--no-migrate", action="store_true")
        parser.add_argument(
            "--only", default="", help="comma list: measure only the pages/API lists whose path contains one of these"
        )
        # Internal: measurements that must run in a fresh process.
        parser.add_argument("--child", choices=("export", "summary"), help=argparse.SUPPRESS)
        parser.add_argument("--rows", type=int, default=0, help=argparse.SUPPRESS)
        parser.add_argument("--year", type=int, default=bench_data.LAST_YEAR, help=argparse.SUPPRESS)
        parser.add_argument("--naive", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if options["child"]:
            return self._child(options)
        settings.DEBUG = False  # as in production: no query log kept in memory
        os.environ["DEBUG"] = "0"  # and for the child processes
        self._prepare_database(migrate=not options["no_migrate"])
        if not bench_data.is_scratch_database():
            raise CommandError(
                f"数据库 {bench_data.database_label()!r} 不是基准测试专用库（名称须含 bench）。"
                "请用 make bench（默认 var/bench.sqlite3），或 DATABASE_URL=postgres://.../workstudy_bench。"
            )
        sizes = self._sizes(options)
        quick = options["quick"]
        repeat = options["repeat"] or (3 if quick else 20)
        skip = {s.strip() for s in options["skip"].split(",") if s.strip()}
        results: list[benchmark.Measurement] = []
        meta = {
            "sizes": {},
            "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
            "quick": quick,
            "repeat": repeat,
            "database_label": bench_data.database_label().rsplit("/", 1)[-1],
        }
        run_start = time.perf_counter()
        for size in sizes:
            self.stdout.write(self.style.MIGRATE_HEADING(f"== {size.describe()}"))
            start = time.perf_counter()
            if options["keep"] and bench_data.matches(size):
                self.stdout.write("  --keep: the database already holds this size; not rebuilt")
                counts = bench_data.present_size()
                built = None
            else:
                counts = bench_data.build(size, log=self.stdout.write)
                built = time.perf_counter() - start
                self.stdout.write(f"  built in {built:.0f} s")
            meta["sizes"][size.name] = {
                "schools": size.schools,
                "years": size.years,
                "lines": size.lines,
                "claims": size.claims,
                "counties": size.counties,
                "build_seconds": built,
                "rows": counts,
            }
            results += self._measure(size, quick=quick, repeat=repeat, skip=skip, options=options)
            meta["sizes"][size.name]["measure_seconds"] = time.perf_counter() - start - (built or 0)
        meta["total_seconds"] = time.perf_counter() - run_start
        self._report(results, sizes, meta, options)

    # -- set-up ---------------------------------------------------------------------------
    def _prepare_database(self, *, migrate: bool) -> None:
        if connection.vendor == "postgresql":
            try:
                connection.ensure_connection()
            except OperationalError as exc:
                if "does not exist" not in str(exc):
                    raise
                name = connection.settings_dict["NAME"]
                if "bench" not in name:
                    raise CommandError(f"数据库 {name} 不存在。") from exc
                with connection._nodb_cursor() as cursor:
                    cursor.execute(f'CREATE DATABASE "{name}"')
                self.stdout.write(f"created PostgreSQL database {name}")
        elif connection.vendor == "sqlite":
            os.makedirs(os.path.dirname(str(connection.settings_dict["NAME"])) or ".", exist_ok=True)
        if migrate:
            call_command("migrate", interactive=False, verbosity=0)

    def _sizes(self, options) -> list[bench_data.Size]:
        if options["schools"] or options["years"]:
            return [bench_data.make_size("custom", schools=options["schools"] or 5, years=options["years"] or 2)]
        names = ["county", "province"] if options["size"] == "both" else [options["size"]]
        sizes = [bench_data.make_size(name) for name in names]
        # With --keep, measure first the size the database already holds (building the province is the long part).
        if options["keep"] and len(sizes) > 1:
            sizes.sort(key=lambda s: not bench_data.matches(s))
        return sizes

    # -- measuring one size --------------------------------------------------------------------
    def _measure(self, size, *, quick, repeat, skip, options) -> list[benchmark.Measurement]:
        User = get_user_model()
        staff = User.objects.get(username=bench_data.STAFF_USERNAME)
        users = {
            "staff": staff,
            "principal": User.objects.get(username=bench_data.PRINCIPAL_USERNAME),
            "auditor": User.objects.get(username=bench_data.AUDITOR_USERNAME),
        }
        year = size.last_year
        log = self.stdout.write
        results = []
        if "requests" not in skip:
            self.stdout.write(f"-- pages and API lists ({repeat} requests each, per role)")
            only = tuple(part.strip() for part in options["only"].split(",") if part.strip())
            results += benchmark.measure_requests(size.name, users, year, repeat=repeat, log=log, only=only)
        if "import" not in skip:
            rows = min(options["import_rows"], 500) if quick and size.name == "custom" else options["import_rows"]
            self.stdout.write(f"-- Excel import ({rows:,} rows)")
            results += benchmark.measure_import(
                size.name, staff, year, rows=rows, naive_rows=min(rows, 300 if quick else 2000), log=log
            )
        if "export" not in skip:
            rows = options["export_rows"]
            self.stdout.write(f"-- Excel export (up to {rows:,} rows)")
            results += benchmark.measure_export(size.name, rows=rows, naive_rows=min(rows, 10_000 if quick else rows), log=log)
        if "summary" not in skip:
            self.stdout.write("-- annual summary")
            results += benchmark.measure_summary(
                size.name, staff, year, size.first_year, repeat=repeat, county=size.counties == 1, log=log
            )
        return results

    # -- output ---------------------------------------------------------------------------------
    def _report(self, results, sizes, meta, options) -> None:
        write = self.stdout.write
        write("")
        benchmark.print_table(results, write)
        names = [s.name for s in sizes]
        if "county" in names and "province" in names:
            write("")
            write("Queries per request, county vs province (the same = paginated, no N+1):")
            grown = benchmark.print_growth(results, "county", "province", write)
            meta["queries_grow"] = grown
        missed = [m for m in results if m.ok is False]
        write("")
        if missed:
            write(self.style.WARNING(f"{len(missed)} measurement(s) miss their target:"))
            for m in missed:
                write(f"  {m.size:<9} {m.section:<8} {m.name}  ({m.target})")
        else:
            write(self.style.SUCCESS("Every measurement with a target meets it."))
        machine = benchmark.machine()
        write(
            f"Machine: {machine['cpus']} CPUs, {machine.get('memory_gib', '?')} GiB, Python {machine['python']}, "
            f"{machine['database']} {machine.get('database_version', '')}; total {meta['total_seconds'] / 60:.1f} min"
        )
        benchmark.write_json(options["json"], results, meta)
        write(f"JSON: {options['json']}")
        if options["markdown"]:
            with open(options["markdown"], "w", encoding="utf-8") as handle:
                handle.write(benchmark.markdown_table(results))
            write(f"Markdown: {options['markdown']}")

    def _child(self, options) -> None:
        if options["child"] == "export":
            data = benchmark.export_child(rows=options["rows"], naive=options["naive"])
        else:
            data = benchmark.summary_child(year=options["year"], naive=options["naive"])
        sys.stdout.write(json.dumps(data) + "\n")
