"""Benchmark harness behind ``make bench`` (``python manage.py bench``).

Builds a synthetic data set with the project's own models on the configured database
(:mod:`bench.data`), at county and province size, and measures the real code
paths: pages and API lists per role (median, p95, SQL queries), Excel import and export,
and the annual summary — each beside its naive baseline or lower bound. Prints a table
and writes JSON. Not a test: it measures, it does not assert.
"""

from __future__ import annotations

import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Targets of the issue (this machine, PostgreSQL, province size).
PAGE_P95_MS = 200.0
IMPORT_MIN_ROWS_S = 2000.0
EXPORT_MAX_S = 30.0
EXPORT_MAX_MB = 500.0
COUNTY_PDF_COLD_S = 2.0
PROVINCE_PDF_COLD_S = 20.0


@dataclass
class Measurement:
    section: str
    name: str
    size: str
    median_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    rows_per_s: float | None = None
    peak_mb: float | None = None
    note: str = ""
    target: str = ""
    ok: bool | None = None  # None: no target
    extra: dict = field(default_factory=dict)


class QueryCounter:
    """Counts the SQL statements run inside it (no cap, unlike the 9,000-entry debug log)."""

    def __init__(self, conn=connection):
        self.connection = conn
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self._cm = self.connection.execute_wrapper(self)
        self._cm.__enter__()
        return self

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)

    @property
    def captured_queries(self) -> range:  # len() of it is the count, like CaptureQueriesContext
        return range(self.count)


def CaptureQueriesContext(conn):  # noqa: N802 - drop-in for django.test.utils'
    return QueryCounter(conn)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def _consume(response) -> None:
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)


LAST_FIRST_MS: dict[str, float] = {}


def time_request(client: Client, url: str, *, repeat: int) -> tuple[float, float, int, int]:
    """GET ``url`` ``repeat`` times after one warm-up; return (median ms, p95 ms, queries, status).

    The warm-up's own time is kept in ``LAST_FIRST_MS[url]`` (the first view after start-up
    or after a data change, when per-process caches are cold)."""
    start = time.perf_counter()
    response = client.get(url)
    _consume(response)
    LAST_FIRST_MS[url] = (time.perf_counter() - start) * 1000
    status = response.status_code
    if status != 200:
        return 0.0, 0.0, 0, status
    with CaptureQueriesContext(connection) as ctx:
        _consume(client.get(url))
    queries = len(ctx.captured_queries)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        _consume(client.get(url))
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), percentile(samples, 95), queries, status


def timed(func: Callable, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return time.perf_counter() - start, result


def machine() -> dict:
    info = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "database": connection.vendor,
        "loadavg": os.getloadavg(),
    }
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        info["memory_gib"] = round(pages / 1024**3, 1)
    except (ValueError, OSError):
        pass
    try:
        with connection.cursor() as cursor:
            cursor.execute("select version()" if connection.vendor == "postgresql" else "select sqlite_version()")
            info["database_version"] = cursor.fetchone()[0].split(" on ")[0]
    except Exception:  # noqa: BLE001 - informational only
        pass
    return info


# ---------------------------------------------------------------------------------------
# Which pages and API lists: found from the URL configuration, so a new page is measured.

PAGE_APPS = ("enterprises", "labor_bases", "logistics", "insurance", "reports")
CORE_PAGES = ("dashboard", "schools", "users", "years", "rules")
# Entry forms ("new"/"create") are measured too: an empty form is a page the staff open
# all day, and its drop-downs are what grows with the province.
SKIP_WORDS = ("edit", "update", "delete", "action", "export", "import", "template", "settings", "narrative", "sha256", "pdf")


def _walk(patterns, prefix: str = "", namespace: str | None = None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield namespace, entry.name, prefix + str(entry.pattern)


def discover_pages() -> list[tuple[str, str]]:
    """(name, path) of every page without URL arguments: dashboard, lists, indexes."""
    found = []
    for namespace, name, route in _walk(get_resolver().url_patterns):
        if not name or "<" in route or route.startswith("api/"):
            continue
        if namespace in PAGE_APPS and not any(word in name for word in SKIP_WORDS):
            found.append((f"{namespace}:{name}", reverse(f"{namespace}:{name}")))
        elif namespace is None and name in CORE_PAGES:
            found.append((name, reverse(name)))
    return sorted(set(found), key=lambda item: item[1])


def discover_api() -> list[tuple[str, str]]:
    """(name, path) of every router list route under /api/ (page 1)."""
    found = []
    for _namespace, name, route in _walk(get_resolver().url_patterns):
        if name and name.endswith("-list") and route.startswith("api/") and "<" not in route:
            found.append((name, reverse(name)))
    return sorted(set(found), key=lambda item: item[1])


def measure_requests(
    size: str, users: dict, year: int, *, repeat: int, log=print, only: tuple[str, ...] = ()
) -> list[Measurement]:
    """``only``: measure just the paths containing one of these strings (all when empty)."""
    pages = discover_pages() + [("reports:summary", reverse("reports:summary", kwargs={"year": year}))]
    targets = [("page", name, path) for name, path in pages] + [("api", name, path) for name, path in discover_api()]
    if only:
        targets = [target for target in targets if any(part in target[2] for part in only)]
    import logging

    quiet = [logging.getLogger(name) for name in ("django.request", "django.security.PermissionDenied")]
    levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.CRITICAL)  # a 403 for a role is expected here, not news
    try:
        return _measure_requests(size, users, targets, repeat=repeat, log=log)
    finally:
        for logger, level in zip(quiet, levels, strict=True):
            logger.setLevel(level)


def _measure_requests(size, users, targets, *, repeat, log) -> list[Measurement]:
    results = []
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        started = time.perf_counter()
        measured = 0
        for section, _name, path in targets:
            median, p95, queries, status = time_request(client, path, repeat=repeat)
            if status != 200:
                continue  # 403 for this role (or a redirect): nothing to measure
            measured += 1
            first = LAST_FIRST_MS.get(path, 0.0)
            results.append(
                Measurement(
                    section=section,
                    name=f"{role} {path}",
                    size=size,
                    median_ms=median,
                    p95_ms=p95,
                    queries=queries,
                    target=f"p95 < {PAGE_P95_MS:.0f} ms",
                    ok=p95 < PAGE_P95_MS,
                    note=f"first view {first:.0f} ms" if first > 2 * max(p95, 50) else "",
                    extra={"first_ms": first},
                )
            )
        log(f"  {role}: {measured} pages/API lists in {time.perf_counter() - started:.0f} s")
    return results


# ---------------------------------------------------------------------------------------
# Excel import: the upload's code path, django-import-export's defaults, and the lower bound


def importer(staff):
    """Who imports: ``staff`` in a county; in a province, a director of its first county (a
    province's staff read their counties' data and change none of it)."""
    from django.contrib.auth import get_user_model

    from workstudy import scoping
    from workstudy.models import Region, Role, School

    region = scoping.region_of(staff)
    if region is None or region.level == Region.Level.COUNTY:
        return staff
    county = Region.objects.get(pk=School.objects.filter(county__path__startswith=region.path)
                                .order_by("county__path").values("county_id")[:1])
    user, _created = get_user_model().objects.update_or_create(
        username="bench_county_staff",
        defaults=dict(role=Role.STAFF, is_staff=True, is_director=True, region=county, first_name="基准县主任"),
    )
    return user


def import_rows(n: int, year: int, staff) -> list[dict]:
    """``n`` new production lines for ``year`` spread over up to 1,000 of the bases ``staff``
    may change (10+ each)."""
    from labor_bases.models import LaborBase, Unit
    from workstudy import scoping

    bases = list(scoping.editable(staff, LaborBase.objects.select_related("school")).order_by("pk")
                 [: max(1, min(1000, n // 10))])
    units = [Unit.KG, Unit.JIN, Unit.PIECE]
    rows = []
    for i in range(n):
        base = bases[i % len(bases)]
        rows.append(
            {
                "school_code": base.school.code,
                "base_name": base.name,
                "base_id": base.pk,
                "year": year,
                "product": f"导入测试产品{i // len(bases):04d}",
                "grade": "一级" if i % 2 else "",
                "quantity": Decimal(100 + i % 900) + Decimal("0.5"),
                "unit": units[i % 3],
                "unit_price": Decimal(5 + i % 40) + Decimal("0.25"),
                "note": "基准测试" if i % 5 == 0 else "",
            }
        )
    return rows


def portal_xlsx(rows: list[dict]) -> bytes:
    """The rows as the portal's own template: Chinese headers, the 学校 column by code."""
    from openpyxl import Workbook

    from labor_bases.models import Unit

    labels = dict(Unit.choices)
    workbook = Workbook()  # not write-only: like Excel, it records the sheet's dimension up front
    sheet = workbook.active
    sheet.title = "基地产品产销"
    sheet.append(["学校", "基地名称", "年度", "产品", "等级/规格", "产量", "计量单位", "平均单价(元)", "产值(元)", "备注"])
    for r in rows:
        sheet.append(
            [
                r["school_code"],
                r["base_name"],
                r["year"],
                r["product"],
                r["grade"],
                float(r["quantity"]),
                str(labels[r["unit"]]),
                float(r["unit_price"]),
                None,
                r["note"],
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def plain_xlsx(rows: list[dict]) -> bytes:
    """The rows as django-import-export's default resource expects: field names, ids."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["base", "year", "product", "grade", "quantity", "unit", "unit_price", "note"])
    for r in rows:
        sheet.append(
            [
                r["base_id"],
                r["year"],
                r["product"],
                r["grade"],
                float(r["quantity"]),
                r["unit"],
                float(r["unit_price"]),
                r["note"],
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class _Rollback(Exception):
    pass


def _rolled_back(func: Callable):
    """Run ``func`` in a transaction that is then rolled back (the data set stays as built)."""
    outcome = {}
    try:
        with transaction.atomic():
            outcome["value"] = func()
            raise _Rollback
    except _Rollback:
        pass
    return outcome["value"]


def lower_bound_import(data: bytes) -> int:
    """openpyxl read-only + one base lookup + the model's compute_value + bulk_create."""
    from openpyxl import load_workbook

    from labor_bases.models import LaborBase, ProductionLine, Unit

    by_label = {str(label): value for value, label in Unit.choices}
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    next(rows)
    base_of = {(code, name): pk for pk, code, name in LaborBase.objects.values_list("pk", "school__code", "name")}
    lines = []
    for school, base, year, product, grade, quantity, unit, price, _value, note in rows:
        line = ProductionLine(
            base_id=base_of[(school, base)],
            year_id=int(year),
            product=product,
            grade=grade or "",
            quantity=Decimal(str(quantity)),
            unit=by_label[unit],
            unit_price=Decimal(str(price)),
            note=note or "",
        )
        line.value = line.compute_value()
        lines.append(line)
    workbook.close()
    ProductionLine.objects.bulk_create(lines, batch_size=5000)
    return len(lines)


def naive_import(data: bytes) -> int:
    """django-import-export with default settings: a plain ModelResource, row by row."""
    import tablib
    from import_export.resources import modelresource_factory

    from labor_bases.models import ProductionLine

    dataset = tablib.Dataset().load(io.BytesIO(data).read(), format="xlsx")
    resource = modelresource_factory(ProductionLine)()
    result = resource.import_data(dataset, dry_run=False)
    if result.has_errors() or result.has_validation_errors():
        raise RuntimeError(f"naive import failed: {result.base_errors or result.invalid_rows[:1] or result.row_errors()[:1]}")
    return result.totals.get("new", 0)


def measure_import(size: str, staff, year: int, *, rows: int, naive_rows: int, log=print) -> list[Measurement]:
    from workstudy import excel

    registration = excel.get_registration("labor_production")
    staff = importer(staff)
    data_rows = import_rows(rows, year, staff)
    data = portal_xlsx(data_rows)
    year_obj = registration.resource_class._meta.model._meta.get_field("year").related_model.objects.get(pk=year)
    results = []
    target = f">= {IMPORT_MIN_ROWS_S:.0f} rows/s"

    def portal(dry_run: bool):
        with CaptureQueriesContext(connection) as ctx:
            seconds, report = timed(excel.run_import, registration, user=staff, year=year_obj, data=data, dry_run=dry_run)
        if not report.ok:
            raise RuntimeError(f"bench import refused: {[str(i) for i in report.issues[:3]]}")
        return seconds, len(ctx.captured_queries), report

    seconds, queries, report = _rolled_back(lambda: portal(True))
    results.append(
        Measurement(
            "import",
            f"portal preview (dry run) {rows:,} rows",
            size,
            median_ms=seconds * 1000,
            queries=queries,
            rows_per_s=rows / seconds,
            target=target,
            ok=rows / seconds >= IMPORT_MIN_ROWS_S,
            note="run_import(dry_run=True), staff: every check, nothing written",
        )
    )
    log(f"  import preview: {rows / seconds:,.0f} rows/s, {queries:,} queries")
    seconds, queries, report = _rolled_back(lambda: portal(False))
    if report.new != rows:
        raise RuntimeError(f"bench import saved {report.new} of {rows} rows")
    results.append(
        Measurement(
            "import",
            f"portal save {rows:,} rows",
            size,
            median_ms=seconds * 1000,
            queries=queries,
            rows_per_s=rows / seconds,
            target=target,
            ok=rows / seconds >= IMPORT_MIN_ROWS_S,
            note="run_import(dry_run=False): checks, validation, history",
        )
    )
    log(f"  import save: {rows / seconds:,.0f} rows/s, {queries:,} queries")
    bound_seconds, count = _rolled_back(lambda: timed(lower_bound_import, data))
    results.append(
        Measurement(
            "import",
            f"lower bound: openpyxl + bulk_create {count:,}",
            size,
            median_ms=bound_seconds * 1000,
            rows_per_s=count / bound_seconds,
            note="no checks, no history",
        )
    )
    for measured in results[:2]:  # the preview and the save, each against the lower bound
        ratio = measured.median_ms / 1000 / bound_seconds
        measured.extra["vs_lower_bound"] = round(ratio, 2)
        measured.note += f"; {ratio:.1f}x the lower bound"
        measured.target += ", <= 2x lower bound"
        measured.ok = measured.ok and ratio <= 2
    log(f"  import lower bound: {count / bound_seconds:,.0f} rows/s")
    naive_data = plain_xlsx(data_rows[:naive_rows])
    naive_seconds, count = _rolled_back(lambda: timed(naive_import, naive_data))
    results.append(
        Measurement(
            "import",
            f"naive: import-export defaults {count:,}",
            size,
            median_ms=naive_seconds * 1000,
            rows_per_s=count / naive_seconds,
            note="ModelResource().import_data(dataset), row by row",
        )
    )
    log(f"  import naive: {count / naive_seconds:,.0f} rows/s")
    results += measure_tuned_import(size, staff, data, rows=rows, bound_seconds=bound_seconds, log=log)
    results.append(code_lines_measurement(size))
    return results


def tuned_run(data: bytes, staff, *, dry_run: bool, validate: bool = True) -> tuple[float, int, int]:
    """django-import-export tuned (:mod:`bench.tuned_import`) on the portal's file, in a
    transaction rolled back afterwards: (seconds, queries, new rows)."""
    from bench.tuned_import import tuned_import

    def run():
        with CaptureQueriesContext(connection) as ctx:
            seconds, result = timed(tuned_import, data, user=staff, dry_run=dry_run, validate=validate)
        if result.has_errors() or result.has_validation_errors():
            first = result.base_errors[:1] or result.invalid_rows[:1] or result.row_errors()[:1]
            raise RuntimeError(f"tuned import refused the file: {first}")
        return seconds, len(ctx.captured_queries), result.totals.get("new", 0)

    return _rolled_back(run)


def measure_tuned_import(size: str, staff, data: bytes, *, rows: int, bound_seconds: float, log=print) -> list[Measurement]:
    """import-export with use_bulk, skip_diff, batch_size 1000 and per-file lookups on the same
    file: preview and save with the model's validation, and the save without it."""
    target = f">= {IMPORT_MIN_ROWS_S:.0f} rows/s, <= 2x lower bound"
    results = []
    runs = [
        ("preview (dry run)", True, True, "full_clean per row, scope; use_bulk: rows written, rolled back"),
        ("save", False, True, "full_clean per row, scope, history, accounts"),
        ("save, no model validation", False, False, "widgets and scope only: no full_clean"),
    ]
    for label, dry_run, validate, note in runs:
        seconds, queries, new = tuned_run(data, staff, dry_run=dry_run, validate=validate)
        if new != rows:
            raise RuntimeError(f"tuned import made {new} of {rows} rows")
        ratio = seconds / bound_seconds
        ok = rows / seconds >= IMPORT_MIN_ROWS_S and ratio <= 2
        results.append(
            Measurement(
                "import",
                f"tuned import-export {label} {rows:,} rows",
                size,
                median_ms=seconds * 1000,
                queries=queries,
                rows_per_s=rows / seconds,
                target=target if validate else "",
                ok=ok if validate else None,
                note=f"{note}; {ratio:.1f}x the lower bound",
                extra={"vs_lower_bound": round(ratio, 2), "validate": validate},
            )
        )
        log(f"  import tuned import-export, {label}: {rows / seconds:,.0f} rows/s, {queries:,} queries")
    return results


def code_lines(path: Path) -> int:
    """Lines of Python code under ``path`` (a file or a folder): neither blank, nor only a
    comment, nor part of a docstring (any statement that is only a string)."""
    import ast
    import tokenize

    skipped = (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER)
    total = 0
    for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
        text = file.read_text(encoding="utf-8")
        lines = {
            line
            for token in tokenize.generate_tokens(io.StringIO(text).readline)
            if token.type not in skipped
            for line in range(token.start[0], token.end[0] + 1)
        }
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                lines -= set(range(node.lineno, node.end_lineno + 1))
        total += len(lines)
    return total


def code_lines_measurement(size: str) -> Measurement:
    """The code of each import engine: the portal's package against the tuned resource."""
    base = Path(settings.BASE_DIR)
    ours = code_lines(base / "workstudy" / "excel")
    reader = code_lines(base / "workstudy" / "xlsx_reader.py")
    tuned = code_lines(base / "bench" / "tuned_import.py")
    return Measurement(
        "import",
        "code lines: workstudy/excel/ vs bench/tuned_import.py",
        size,
        note=f"portal engine {ours} (+ xlsx_reader {reader}), every data kind; "
        f"tuned import-export resource {tuned}, production lines only",
        extra={"portal_engine": ours, "xlsx_reader": reader, "tuned_resource": tuned},
    )


# ---------------------------------------------------------------------------------------
# Excel export: in a child process, so its peak memory is its own


def _child(args: list[str], *, timeout: int = 3600) -> tuple[float, dict]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "bench", *args],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        env=env,
        timeout=timeout,
    )
    wall = time.perf_counter() - start
    if out.returncode != 0:
        raise RuntimeError(f"bench child {args} failed:\n{out.stderr[-3000:]}")
    return wall, json.loads(out.stdout.strip().splitlines()[-1])


def _rss_mb() -> float:
    """Peak resident memory of this process in MB.

    VmHWM (Linux) belongs to this address space; ``ru_maxrss`` survives exec, so a child
    forked from a big parent would report the parent's peak.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def export_child(*, rows: int, naive: bool) -> dict:
    """Run inside the child: export ``rows`` production lines; report time and peak RSS."""
    from django.contrib.auth import get_user_model

    from bench import data as bench_data
    from labor_bases.models import ProductionLine
    from workstudy import excel

    staff = get_user_model().objects.get(username=bench_data.STAFF_USERNAME)
    before = _rss_mb()
    start = time.perf_counter()
    if naive:
        from import_export.resources import modelresource_factory

        resource = modelresource_factory(ProductionLine)()
        dataset = resource.export(queryset=ProductionLine.objects.order_by("pk")[:rows])
        content = dataset.export("xlsx")
        written, size = len(dataset), len(content)
    else:
        registration = excel.get_registration("labor_production")

        class Capped(registration.resource_class):
            def export_queryset(self, **kwargs):
                return super().export_queryset(**kwargs)[:rows]

        capped = excel.Registration(key=registration.key, resource=Capped, title=registration.title)
        with tempfile.TemporaryFile() as target:
            excel.write_export(capped, user=staff, target=target)
            size = target.seek(0, 2)
        written = min(rows, ProductionLine.objects.count())
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": written, "bytes": size, "rss_before_mb": before, "peak_rss_mb": _rss_mb()}


def measure_export(size: str, *, rows: int, naive_rows: int, log=print) -> list[Measurement]:
    results = []
    _wall, data = _child(["--child", "export", "--rows", str(rows)])
    rate = data["rows"] / data["seconds"]
    ok = data["seconds"] < EXPORT_MAX_S and data["peak_rss_mb"] < EXPORT_MAX_MB
    results.append(
        Measurement(
            "export",
            f"portal write_export {data['rows']:,} rows",
            size,
            median_ms=data["seconds"] * 1000,
            rows_per_s=rate,
            peak_mb=data["peak_rss_mb"],
            target=f"< {EXPORT_MAX_S:.0f} s, < {EXPORT_MAX_MB:.0f} MB",
            ok=ok,
            note=f"streamed by workstudy.xlsx_writer; process RSS {data['rss_before_mb']:.0f} MB before; "
            f"{data['bytes'] / 1e6:.1f} MB file",
            extra=data,
        )
    )
    log(f"  export: {data['rows']:,} rows in {data['seconds']:.1f} s, peak {data['peak_rss_mb']:.0f} MB")
    _wall, data = _child(["--child", "export", "--rows", str(naive_rows), "--naive"])
    results.append(
        Measurement(
            "export",
            f"naive: import-export defaults {data['rows']:,}",
            size,
            median_ms=data["seconds"] * 1000,
            rows_per_s=data["rows"] / data["seconds"],
            peak_mb=data["peak_rss_mb"],
            note="ModelResource().export() -> tablib -> xlsx, all in memory",
            extra=data,
        )
    )
    log(f"  export naive: {data['rows']:,} rows in {data['seconds']:.1f} s, peak {data['peak_rss_mb']:.0f} MB")
    return results


# ---------------------------------------------------------------------------------------
# The annual summary: HTML and PDF, cold and cached, the stock-font PDF, the bare aggregate


def summary_child(*, year: int, naive: bool) -> dict:
    """Run inside the child (a cold process): the summary PDF as the web view makes it."""
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    from reports import figures, pdf

    start = time.perf_counter()
    if naive:
        from .naive_pdf import naive_summary_pdf

        content = naive_summary_pdf(figures.compute(year))
        source = "naive"
    else:
        result = pdf.summary_pdf(year)
        content, source = result.content, result.source
    return {"seconds": time.perf_counter() - start, "bytes": len(content), "source": source, "peak_rss_mb": _rss_mb()}


def cold_build_summary(year: int) -> tuple[float, dict]:
    """Wall time of the real command line, ``manage.py build_summary --format pdf``, in a new
    process: what the CLI or a fresh worker pays (Django start-up, WeasyPrint, figures, PDF)."""
    from pypdf import PdfReader

    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "summary.pdf"
        start = time.perf_counter()
        out = subprocess.run(
            [
                sys.executable,
                str(Path(settings.BASE_DIR) / "manage.py"),
                "build_summary",
                "--year",
                str(year),
                "--format",
                "pdf",
                "--output",
                str(target),
            ],
            capture_output=True,
            text=True,
            cwd=settings.BASE_DIR,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            timeout=3600,
        )
        wall = time.perf_counter() - start
        if out.returncode != 0:
            raise RuntimeError(f"build_summary failed:\n{out.stderr[-3000:]}")
        return wall, {"bytes": target.stat().st_size, "pages": len(PdfReader(str(target)).pages)}


def headline_sql(year: int, first_year: int) -> tuple[str, list]:
    """One bare SQL statement for the summary's headline figures (the lower bound)."""
    from enterprises.models import EnterpriseYearStat
    from insurance.models import Claim
    from labor_bases.models import BaseYearFinance, LandParcel
    from logistics.models import CentreYearFigures, SalesLine

    t = {
        m.__name__: m._meta.db_table
        for m in (EnterpriseYearStat, Claim, BaseYearFinance, LandParcel, CentreYearFigures, SalesLine)
    }
    sql = f"""
        SELECT
          (SELECT COALESCE(SUM(profit), 0) FROM {t["EnterpriseYearStat"]} WHERE year_id BETWEEN %s AND %s),
          (SELECT COALESCE(SUM(profit), 0) FROM {t["BaseYearFinance"]} WHERE year_id BETWEEN %s AND %s),
          (SELECT COALESCE(SUM(amount), 0) FROM {t["SalesLine"]} WHERE year_id BETWEEN %s AND %s),
          (SELECT COALESCE(SUM(cost), 0) FROM {t["CentreYearFigures"]} WHERE year_id BETWEEN %s AND %s),
          (SELECT COALESCE(SUM(area_mu), 0) FROM {t["LandParcel"]} WHERE year_id = %s),
          (SELECT COUNT(*) FROM {t["Claim"]} WHERE status = 'paid' AND year_id BETWEEN %s AND %s),
          (SELECT COALESCE(SUM(paid_amount), 0) FROM {t["Claim"]} WHERE status = 'paid' AND year_id BETWEEN %s AND %s)
    """
    params = [first_year, year] * 4 + [year] + [first_year, year] * 2
    return sql, params


SUMMARY_AFTER_CHANGE_MS = 200
SUMMARY_AFTER_CHANGE_TARGET = f"< {SUMMARY_AFTER_CHANGE_MS} ms"


def _page_once(client, url: str) -> tuple[float, int]:
    """One GET of ``url``, which must answer 200: (ms, queries)."""
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        response = client.get(url)
        ms = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, response.status_code
    return ms, len(ctx.captured_queries)


def _after_a_change(client, url: str, year: int, repeat: int) -> tuple[list[float], int]:
    """The summary page right after a real change: one production line of ``year`` saved with
    another quantity (committed, as a principal's edit is) before each request, then restored.
    Everything kept because the data was as it was (the shared cache, each process's warnings)
    no longer applies."""
    from labor_bases.models import ProductionLine

    line = ProductionLine.objects.filter(year_id=year).order_by("pk").first()
    original = line.quantity
    samples, queries = [], 0
    try:
        for n in range(max(1, min(3, repeat))):
            line.quantity = original + Decimal(n + 1)
            line.save()
            ms, queries = _page_once(client, url)
            samples.append(ms)
    finally:
        line.quantity = original
        line.save()
    return samples, queries


def measure_summary(size: str, staff, year: int, first_year: int, *, repeat: int, county: bool, log=print) -> list[Measurement]:
    from django.core.cache import cache

    from reports import figures, pdf

    results = []
    scope = "county" if county else "province-wide"
    pdf_target = COUNTY_PDF_COLD_S if county else PROVINCE_PDF_COLD_S

    sql, params = headline_sql(year, first_year)
    samples = []
    for _ in range(max(3, repeat)):
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchone()
        samples.append((time.perf_counter() - start) * 1000)
    results.append(
        Measurement(
            "summary",
            "lower bound: bare SQL aggregate",
            size,
            median_ms=statistics.median(samples),
            p95_ms=percentile(samples, 95),
            queries=1,
            note="headline figures, one statement",
        )
    )

    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        seconds, _summary = timed(figures.compute, year)
    results.append(
        Measurement(
            "summary",
            "figures.compute (all numbers)",
            size,
            median_ms=seconds * 1000,
            queries=len(ctx.captured_queries),
            note="in a warm process, no cache",
        )
    )
    log(f"  figures.compute: {seconds:.2f} s, {len(ctx.captured_queries)} queries")

    client = Client()
    client.force_login(staff)
    url = reverse("reports:summary", kwargs={"year": year})
    client.get(url)  # templates and charts code warm
    cold = []
    for _ in range(max(1, min(3, repeat))):
        cache.clear()
        ms, queries = _page_once(client, url)
        cold.append(ms)
    results.append(
        Measurement(
            "summary",
            f"HTML {scope}, cache emptied",
            size,
            median_ms=statistics.median(cold),
            p95_ms=max(cold),
            queries=queries,
            note="shared cache cleared before each; the process keeps the warnings it computed",
        )
    )
    changed, queries = _after_a_change(client, url, year, repeat)
    results.append(
        Measurement(
            "summary",
            f"HTML {scope}, after one production line is saved",
            size,
            median_ms=statistics.median(changed),
            p95_ms=max(changed),
            queries=queries,
            target=SUMMARY_AFTER_CHANGE_TARGET if not county else "",
            ok=(statistics.median(changed) < SUMMARY_AFTER_CHANGE_MS) if not county else None,
            note="a line's quantity saved (committed) before each request, restored afterwards",
        )
    )
    log(f"  summary HTML after a change: {statistics.median(changed):.0f} ms")
    warm = []
    for _ in range(max(3, repeat)):
        ms, queries = _page_once(client, url)
        warm.append(ms)
    results.append(
        Measurement(
            "summary",
            f"HTML {scope}, cached",
            size,
            median_ms=statistics.median(warm),
            p95_ms=percentile(warm, 95),
            queries=queries,
        )
    )
    log(f"  summary HTML: cold {statistics.median(cold):.0f} ms, cached {statistics.median(warm):.0f} ms")

    wall, data = cold_build_summary(year)
    results.append(
        Measurement(
            "summary",
            f"PDF {scope}, cold process",
            size,
            median_ms=wall * 1000,
            target=f"< {pdf_target:.0f} s",
            ok=wall < pdf_target,
            note=f"`manage.py build_summary --format pdf` in a new process (start-up included); "
            f"{data['bytes'] / 1e3:.0f} kB, {data['pages']} pages",
            extra=data,
        )
    )
    log(f"  summary PDF cold (build_summary): {wall:.2f} s, {data['pages']} pages")

    cache.clear()
    pdf.summary_pdf(year)
    warm = []
    for _ in range(max(3, repeat)):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            result = pdf.summary_pdf(year)
            warm.append((time.perf_counter() - start) * 1000)
    results.append(
        Measurement(
            "summary",
            f"PDF {scope}, cached",
            size,
            median_ms=statistics.median(warm),
            p95_ms=percentile(warm, 95),
            queries=len(ctx.captured_queries),
            note=f"source: {result.source}",
        )
    )

    wall, data = _child(["--child", "summary", "--year", str(year), "--naive"])
    results.append(
        Measurement(
            "summary",
            f"naive: PDF on stock Noto CJK, {scope}",
            size,
            median_ms=wall * 1000,
            peak_mb=data["peak_rss_mb"],
            note=f"WeasyPrint with the system's NotoSansCJK/NotoSerifCJK .ttc; in process {data['seconds']:.2f} s",
            extra=data,
        )
    )
    log(f"  summary PDF naive: {wall:.2f} s")
    return results


# ---------------------------------------------------------------------------------------
# Output


def _fmt(value, spec):
    return format(value, spec) if value is not None else "-"


def print_table(results: list[Measurement], write) -> None:
    header = (
        f"{'section':<8} {'measurement':<52} {'size':<9} {'median ms':>10} {'p95 ms':>9} {'queries':>8} "
        f"{'rows/s':>9} {'peak MB':>8} {'ok':>4}  note"
    )
    write(header)
    write("-" * len(header))
    for m in results:
        ok = "" if m.ok is None else ("yes" if m.ok else "NO")
        write(
            f"{m.section:<8} {m.name[:52]:<52} {m.size:<9} {_fmt(m.median_ms, '10.1f')} {_fmt(m.p95_ms, '9.1f')} "
            f"{_fmt(m.queries, '8d')} {_fmt(m.rows_per_s, '9.0f')} {_fmt(m.peak_mb, '8.1f')} {ok:>4}  {m.note}"
        )


def query_growth(results: list[Measurement], small: str, large: str) -> list[tuple[str, str, int, int, float, float]]:
    """Pages/API lists measured at both sizes: (section, name, q small, q large, p95 small, p95 large)."""
    by_key = {(m.section, m.name, m.size): m for m in results if m.section in ("page", "api")}
    rows = []
    for (section, name, size), m in by_key.items():
        if size != small or (section, name, large) not in by_key:
            continue
        other = by_key[(section, name, large)]
        rows.append((section, name, m.queries, other.queries, m.p95_ms, other.p95_ms))
    return sorted(rows)


def print_growth(results: list[Measurement], small: str, large: str, write) -> int:
    rows = query_growth(results, small, large)
    if not rows:
        return 0
    write(
        f"{'section':<8} {'page / API list':<52} {'q ' + small:>10} {'q ' + large:>10} {'p95 ' + small:>12} {'p95 ' + large:>12}"
    )
    grown = 0
    for section, name, q_small, q_large, p_small, p_large in rows:
        flag = "  QUERIES GROW" if q_large > q_small else ""
        grown += bool(flag)
        write(f"{section:<8} {name[:52]:<52} {q_small:>10} {q_large:>10} {p_small:>12.1f} {p_large:>12.1f}{flag}")
    return grown


def markdown_table(results: list[Measurement]) -> str:
    lines = [
        "| section | measurement | size | median ms | p95 ms | queries | rows/s | peak MB | target met | note |",
        "|---|---|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for m in results:
        ok = "" if m.ok is None else ("yes" if m.ok else "**no**")
        lines.append(
            f"| {m.section} | {m.name} | {m.size} | {_fmt(m.median_ms, '.1f')} | {_fmt(m.p95_ms, '.1f')} | "
            f"{_fmt(m.queries, 'd')} | {_fmt(m.rows_per_s, ',.0f')} | {_fmt(m.peak_mb, '.0f')} | {ok} | "
            f"{m.note.replace('|', '/')} |"
        )
    return "\n".join(lines) + "\n"


def write_json(path: str, results: list[Measurement], meta: dict) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(
            {"machine": machine(), **meta, "results": [asdict(m) for m in results]},
            handle,
            ensure_ascii=False,
            indent=2,
            default=str,
        )
