"""The benchmark can't rot: the generator builds consistent data with the models' own
formulas, and ``manage.py bench`` runs end to end at a tiny size (its own scratch DB)."""

import json
import os
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from bench import data as bench_data
from bench import measure as benchmark

TINY = bench_data.make_size("custom", schools=5, years=2)


@pytest.fixture
def tiny(db):
    return bench_data.Generator(TINY, log=lambda _line: None).run()


def test_sizes_follow_the_issue():
    province = bench_data.make_size("province")
    assert (province.schools, province.years, province.lines, province.claims) == (15_000, 10, 500_000, 200_000)
    assert province.counties == 100
    county = bench_data.make_size("county")
    assert (county.schools, county.years, county.counties) == (300, 10, 1)


def test_the_province_is_laid_out_like_jiangxi():
    """100 counties in 11 cities, one of 10 counties and ten of 9, each city's counties in a run."""
    province = bench_data.make_size("province")
    cities = [province.city_of(c) for c in range(province.counties)]
    assert province.cities == 11
    assert cities == sorted(cities)
    assert sorted(Counter(cities).values()) == [9] * 10 + [10]
    county = bench_data.make_size("county")
    assert (county.cities, county.city_of(0)) == (1, 0)


@given(schools=st.integers(min_value=401, max_value=60_000))
def test_every_city_gets_its_share_of_the_counties(schools):
    size = bench_data.make_size("custom", schools=schools, years=1)
    cities = [size.city_of(c) for c in range(size.counties)]
    sizes = Counter(cities)
    assert sorted(sizes) == list(range(size.cities))  # no city is empty, none beyond the count
    assert cities == sorted(cities)
    assert max(sizes.values()) - min(sizes.values()) <= 1
    assert size.cities == max(1, size.counties // bench_data.COUNTIES_PER_CITY)


def test_generator_spreads_the_counties_over_the_cities(db, monkeypatch):
    """Five counties, two to a city at most (the province's nine, scaled down): the schools and
    the county-wide rows sit in their county, each county in its city, and the staff read the
    whole province."""
    from enterprises.models import Enterprise
    from insurance.models import InsurancePolicy
    from logistics.models import ExamLodgingProgram, ServiceCentre
    from workstudy.models import Region, School

    monkeypatch.setattr(bench_data, "COUNTIES_PER_CITY", 2)
    size = bench_data.make_size("custom", schools=601, years=1)
    assert (size.counties, size.cities) == (5, 2)
    bench_data.Generator(size, log=lambda _line: None).run()
    province = Region.objects.get(name="基准省", level=Region.Level.PROVINCE)
    cities = {city.name: sorted(c.name for c in city.children.all()) for city in province.children.all()}
    assert cities == {"第1市": ["第1县", "第2县", "第3县"], "第2市": ["第4县", "第5县"]}
    per_county = Counter(School.objects.values_list("county__name", flat=True))
    assert per_county == {"第1县": 150, "第2县": 150, "第3县": 150, "第4县": 150, "第5县": 1}
    for model in (InsurancePolicy, Enterprise, ServiceCentre, ExamLodgingProgram):
        assert set(model.objects.values_list("county__parent__name", flat=True)) == {"第1市", "第2市"}
    # 中考食宿保障: each county's own programme, run by its own centre.
    assert sorted(ExamLodgingProgram.objects.values_list("county__name", "operator__county__name")) == [
        (f"第{c}县", f"第{c}县") for c in range(1, 6)]
    staff = bench_data.get_user_model().objects.get(username=bench_data.STAFF_USERNAME)
    assert staff.region == province
    assert bench_data.matches(size)
    # The import is measured as a county's director would make it (the province's staff only read).
    importer = benchmark.importer(staff)
    assert (importer.region.name, importer.is_director) == ("第1县", True)
    rows = benchmark.import_rows(30, size.last_year, importer)
    codes = [r["school_code"] for r in rows]
    assert set(School.objects.filter(code__in=codes).values_list("county__name", flat=True)) == {"第1县"}
    measured = benchmark.measure_import(size.name, staff, size.last_year, rows=30, naive_rows=10, log=lambda _line: None)
    assert any(m.name.startswith("portal preview") for m in measured)
    monkeypatch.setattr(bench_data, "COUNTIES_PER_CITY", 9)  # the same rows, laid out as one city
    assert not bench_data.matches(bench_data.make_size("custom", schools=601, years=1))


def test_generator_builds_the_size_with_the_models_formulas(tiny):
    from insurance.models import Claim
    from labor_bases.models import BaseYearFinance, ProductionLine
    from workstudy.models import School, Submission

    assert School.objects.count() == 5
    assert Submission.objects.count() == 10
    assert ProductionLine.objects.count() == TINY.lines
    assert Claim.objects.count() == TINY.claims
    for line in ProductionLine.objects.all():
        assert line.value == line.compute_value()
    for finance in BaseYearFinance.objects.all():
        expected = BaseYearFinance(**{f.attname: getattr(finance, f.attname) for f in BaseYearFinance._meta.concrete_fields})
        expected.compute()  # the real per-row query this time
        assert (finance.production_value, finance.revenue, finance.profit) == (
            expected.production_value,
            expected.revenue,
            expected.profit,
        )
        assert finance.revenue > Decimal("0")
    assert bench_data.matches(TINY)


def test_wipe_refuses_a_database_not_named_for_benchmarks(db):
    if bench_data.is_scratch_database():
        pytest.skip("test database name contains 'bench'")
    with pytest.raises(RuntimeError, match="refusing"):
        bench_data.wipe(log=lambda _line: None)


def test_pages_and_api_lists_are_found_from_the_urlconf():
    pages = dict(benchmark.discover_pages())
    api = dict(benchmark.discover_api())
    assert pages["dashboard"] == "/"
    assert "labor_bases:lines" in pages and "insurance:claim_list" in pages
    assert pages["labor_bases:line_create"] == "/labor-bases/production/new/"  # entry forms are pages too
    assert not any("edit" in path or "delete" in path or "export" in path for path in pages.values())
    assert api["labor-line-list"] == "/api/labor-bases/production/"
    assert "insurance-claim-list" in api and "submission-list" in api


def test_bench_command_runs_end_to_end(tmp_path):
    """The real command, in its own process and its own scratch SQLite file, at a tiny size."""
    out = tmp_path / "bench-results.json"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/bench-test.sqlite3", "DJANGO_SETTINGS_MODULE": "config.settings"}
    run = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "bench",
            "--schools",
            "5",
            "--years",
            "2",
            "--quick",
            "--repeat",
            "1",
            "--import-rows",
            "200",
            "--export-rows",
            "300",
            "--json",
            str(out),
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,  # a shared machine under load; the run itself is the test
    )
    assert run.returncode == 0, run.stderr[-3000:]
    data = json.loads(Path(out).read_text(encoding="utf-8"))
    sections = {m["section"] for m in data["results"]}
    assert sections == {"page", "api", "import", "export", "summary"}
    names = [m["name"] for m in data["results"]]
    assert any(n.startswith("principal ") for n in names) and any(n.startswith("auditor ") for n in names)
    assert any("lower bound" in n for n in names) and any(n.startswith("naive") for n in names)
    tuned = {m["name"]: m for m in data["results"] if m["name"].startswith("tuned import-export")}
    assert set(tuned) == {
        "tuned import-export preview (dry run) 200 rows",
        "tuned import-export save 200 rows",
        "tuned import-export save, no model validation 200 rows",
    }
    assert all(m["rows_per_s"] > 0 and m["queries"] > 0 for m in tuned.values())
    lines = next(m for m in data["results"] if m["name"].startswith("code lines"))["extra"]
    assert lines["portal_engine"] > lines["tuned_resource"] > 50
    assert all(m["queries"] > 0 for m in data["results"] if m["section"] in ("page", "api"))
    assert "Machine:" in run.stdout


def test_bench_refuses_a_database_not_named_for_benchmarks(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/production.sqlite3", "DJANGO_SETTINGS_MODULE": "config.settings"}
    run = subprocess.run(
        [sys.executable, "manage.py", "bench", "--schools", "2", "--years", "1", "--no-migrate"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode != 0
    assert "bench" in run.stderr
