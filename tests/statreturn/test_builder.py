"""The return's figures on random data (hypothesis) against a from-scratch computation over the
same rows, every subtotal equal to the sum of its lines, and each figure's sources adding up
to it. Schools outside the queryset (another region) and their rows are never counted."""

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enterprises.models import Enterprise, EnterpriseYearStat
from labor_bases.models import BaseYearFinance, LaborBase
from statreturn import builder
from statreturn.models import USE_FIELDS, EnterpriseReturn, Sector
from workstudy.models import Region, ReportingYear, School, SchoolKind

KINDS = [value for value, _label in SchoolKind.choices]
SECTORS = [value for value, _label in Sector.choices]
money = st.integers(min_value=0, max_value=5_000_000).map(lambda cents: Decimal(cents) / 100)

enterprise_spec = st.fixed_dictionaries(
    {
        "sponsor": st.one_of(st.none(), st.integers(0, 3)),
        "revenue": money,
        "cost": st.one_of(st.none(), money),
        "tax": money,
        "employees": st.integers(0, 500),
        "remitted": money,
        "ret": st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {
                    "sector": st.sampled_from(SECTORS),
                    "output": money,
                    "assets": money,
                    "liabilities": money,
                    "relief": money,
                    "shares": st.lists(st.integers(0, 100), min_size=5, max_size=5),
                    "balance": money,
                }
            ),
        ),
    }
)
base_spec = st.fixed_dictionaries(
    {
        "school": st.integers(0, 3),
        "other_income": money,
        "labor_cost": money,
        "remitted": money,
    }
)
world_spec = st.fixed_dictionaries(
    {
        "kinds": st.lists(st.sampled_from(KINDS), min_size=4, max_size=4),
        "inside": st.lists(st.booleans(), min_size=4, max_size=4),
        "enterprises": st.lists(enterprise_spec, max_size=4),
        "bases": st.lists(base_spec, max_size=3),
        "bureau": st.booleans(),
    }
)


def _make(spec, year):
    county = Region.default_county()
    schools = [School.objects.create(code=f"H{i}", name=f"学校{i}", kind=kind, county=county)
               for i, kind in enumerate(spec["kinds"])]
    for i, e in enumerate(spec["enterprises"]):
        enterprise = Enterprise.objects.create(
            name=f"企业{i}",
            kind="uniform",
            ownership="collective",
            sponsor_school=schools[e["sponsor"]] if e["sponsor"] is not None else None,
            county=county,
        )
        EnterpriseYearStat.objects.create(
            enterprise=enterprise,
            year=year,
            revenue=e["revenue"],
            cost=e["cost"],
            tax=e["tax"],
            employees=e["employees"],
            remitted_to_education=e["remitted"],
        )
        r = e["ret"]
        if r is not None:
            total = sum(r["shares"]) or 1
            uses = [(e["remitted"] * share / total).quantize(Decimal("0.01"), rounding="ROUND_DOWN") for share in r["shares"]]
            row = EnterpriseReturn(
                enterprise=enterprise,
                year=year,
                sector=r["sector"],
                output_value=r["output"],
                assets=r["assets"],
                liabilities=r["liabilities"],
                tax_relief=r["relief"],
                year_end_balance=r["balance"],
                **dict(zip(USE_FIELDS, uses, strict=True)),
            )
            row.full_clean()
            row.save()
    for i, b in enumerate(spec["bases"]):
        base = LaborBase.objects.create(school=schools[b["school"]], name=f"基地{i}")
        BaseYearFinance.objects.create(
            base=base, year=year, other_income=b["other_income"], labor_cost=b["labor_cost"], remitted_to_school=b["remitted"]
        )
    inside = [s.pk for s, flag in zip(schools, spec["inside"], strict=True) if flag]
    return School.objects.filter(pk__in=inside), set(inside)


def _expected(year, inside: set, bureau: bool) -> dict:
    """The return computed from scratch: plain loops over every row."""
    zero = Decimal("0.00")
    stats = [
        s
        for s in EnterpriseYearStat.objects.filter(year=year).select_related("enterprise")
        if (s.enterprise.sponsor_school_id in inside) or (bureau and s.enterprise.sponsor_school_id is None)
    ]
    finances = [f for f in BaseYearFinance.objects.filter(year=year).select_related("base") if f.base.school_id in inside]
    returns = {r.enterprise_id: r for r in EnterpriseReturn.objects.filter(year=year)}

    def sector(stat):
        row = returns.get(stat.enterprise_id)
        return row.sector if row else "unknown"

    want = {}
    active = {f.base.school_id for f in finances} | {s.enterprise.sponsor_school_id for s in stats}
    for code, kind in zip([f"A{n:02d}" for n in range(2, 9)], KINDS, strict=True):
        want[code] = sum(1 for school in School.objects.filter(pk__in=inside, kind=kind) if school.pk in active)
    want["A01"] = sum(want[f"A{n:02d}"] for n in range(2, 9))
    all_sectors = [*SECTORS, "unknown"]
    for i, sec in enumerate(all_sectors):
        want[f"A{11 + i}"] = sum(1 for s in stats if sector(s) == sec) + (len(finances) if sec == "agriculture" else 0)
        want[f"A{21 + i}"] = sum(s.employees for s in stats if sector(s) == sec)
        want[f"B{11 + i}"] = sum((s.revenue for s in stats if sector(s) == sec), zero) + (
            sum((f.revenue for f in finances), zero) if sec == "agriculture" else zero
        )
        want[f"B{21 + i}"] = sum((s.profit for s in stats if sector(s) == sec and s.cost is not None), zero) + (
            sum((f.profit for f in finances), zero) if sec == "agriculture" else zero
        )
        want[f"B{31 + i}"] = sum((s.tax for s in stats if sector(s) == sec), zero)
    want["A10"], want["A15"], want["A16"] = len(stats) + len(finances), len(stats), len(finances)
    want["A20"] = sum(s.employees for s in stats)
    in_scope = [returns[s.enterprise_id] for s in stats if s.enterprise_id in returns]
    for i, sec in enumerate(SECTORS):
        rows = [r for r in in_scope if r.sector == sec]
        want[f"A{31 + i}"] = sum((r.assets for r in rows), zero)
        want[f"A{41 + i}"] = sum((r.liabilities for r in rows), zero)
        want[f"A{51 + i}"] = sum((r.assets - r.liabilities for r in rows), zero)
        want[f"B{2 + i:02d}"] = sum((r.output_value for r in rows), zero) + (
            sum((f.production_value for f in finances), zero) if sec == "agriculture" else zero
        )
        want[f"B{41 + i}"] = sum((r.tax_relief for r in rows), zero)
    want["A30"] = sum((r.assets for r in in_scope), zero)
    want["A40"] = sum((r.liabilities for r in in_scope), zero)
    want["A50"] = want["A30"] - want["A40"]
    want["B01"] = sum((want[f"B{2 + i:02d}"] for i in range(3)), zero)
    want["B10"] = sum((s.revenue for s in stats), zero) + sum((f.revenue for f in finances), zero)
    want["B20"] = sum((s.profit for s in stats if s.cost is not None), zero) + sum((f.profit for f in finances), zero)
    want["B30"] = sum((s.tax for s in stats), zero)
    want["B40"] = sum((r.tax_relief for r in in_scope), zero)
    want["B51"] = sum((s.remitted_to_education for s in stats), zero)
    want["B52"] = sum((f.remitted_to_school for f in finances), zero)
    want["B50"] = want["B51"] + want["B52"]
    for n, name in enumerate(USE_FIELDS):
        want[f"B{53 + n}"] = sum((getattr(r, name) for r in in_scope), zero)
    want["B58"] = want["B50"] - sum((want[f"B{53 + n}"] for n in range(len(USE_FIELDS))), zero)
    want["B60"] = sum((r.year_end_balance for r in in_scope), zero)
    return want


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(spec=world_spec)
def test_return_equals_a_computation_from_scratch(spec):
    with transaction.atomic():
        year = ReportingYear.objects.create(year=2024)
        schools, inside = _make(spec, year)
        result = builder.build(2024, schools, bureau=spec["bureau"])
        got = {line.code: line.value for line in result.lines()}
        want = _expected(year, inside, spec["bureau"])
        assert set(got) == set(want)
        assert {code: got[code] for code in want if got[code] != want[code]} == {}
        assert builder.parts_consistent(result) == []
        for line in result.lines():  # each figure is the sum of the rows listed for it
            assert sum((source.value for source in line.sources), 0) == line.value, line.code
        transaction.set_rollback(True)


def test_parts_consistent_finds_a_wrong_subtotal(db, school_a, year):
    result = builder.build(2024, School.objects.all())
    assert builder.parts_consistent(result) == []
    result.line("A11").value += 1
    assert builder.parts_consistent(result) == ["A10: 0 != A11 + A12 + A13 + A14 = 1"]


def _county(year, n):
    from tests.enterprises.factories import EnterpriseFactory, YearStatFactory
    from tests.labor_bases.factories import BaseYearFinanceFactory, LaborBaseFactory
    from tests.statreturn.factories import EnterpriseReturnFactory

    for i in range(n):
        school = School.objects.create(code=f"Q{n}-{i}", name=f"学校{n}-{i}", kind=KINDS[i % len(KINDS)],
                                       county=Region.default_county())
        enterprise = EnterpriseFactory(name=f"企业{n}-{i}", sponsor_school=school, sponsor_label="")
        YearStatFactory(enterprise=enterprise, year=year)
        EnterpriseReturnFactory(enterprise=enterprise, year=year, sector=SECTORS[i % len(SECTORS)])
        BaseYearFinanceFactory(base=LaborBaseFactory(school=school, name=f"基地{n}-{i}"), year=year)


def test_queries_do_not_grow_with_the_schools(db, year):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (2, 8):
        _county(year, n)
        with CaptureQueriesContext(connection) as queries:
            result = builder.build(2024, School.objects.all())
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 4
    assert result.line("A15").value == 10 and result.line("A16").value == 10
