"""Read functions ``reports/`` calls for the annual summary (see helpers/SELECTORS.md).

Every function takes plain ints, returns plain Python with ``Decimal`` money in 元
(2 places) and runs a fixed number of SQL queries whatever the number of rows.
Claims count as paid when their status is 已赔付; they are counted in the year of
their **paid date** (late payouts are booked in the year they are paid).
``counties`` (where a function takes it): a list of county ids, only their rows; None: every county.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, DecimalField, IntegerField, Min, Q, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.urls import reverse

from workstudy import freshness
from workstudy.money import round_money
from workstudy.scoping import in_counties

from .models import (
    Claim,
    ClaimStatus,
    FundingRule,
    FundingSource,
    InsurancePolicy,
    Insurer,
    PolicyType,
    PremiumFunding,
    StudentAccidentCoverage,
)

ZERO = Decimal("0.00")
PAID_STATUSES = (ClaimStatus.PAID,)
_MONEY = DecimalField(max_digits=14, decimal_places=2)


def _money(value) -> Decimal:
    return round_money(value if value is not None else ZERO)


def _sum_money(field: str, **filter_kwargs):
    condition = Q(**filter_kwargs) if filter_kwargs else None
    return Coalesce(Sum(field, filter=condition), Value(ZERO), output_field=_MONEY)


def _sum_int(field: str, **filter_kwargs):
    condition = Q(**filter_kwargs) if filter_kwargs else None
    return Coalesce(Sum(field, filter=condition), Value(0), output_field=IntegerField())


def _paid_claims(counties=None):
    return in_counties(Claim.objects.all(), counties).filter(status__in=PAID_STATUSES, paid_date__isnull=False)


def claims_summary(first_year: int, last_year: int, counties=None) -> dict:
    """Paid claims with a paid date in ``first_year``..``last_year``: count (件), person_times
    (人次), paid_total (元), and the same restricted to 财产险 (property). One query."""
    row = (
        _paid_claims(counties)
        .filter(paid_date__year__gte=first_year, paid_date__year__lte=last_year)
        .aggregate(
            count=Count("id"),
            person_times=_sum_int("persons"),
            paid_total=_sum_money("paid_amount"),
            property_count=Count("id", filter=Q(policy__policy_type=PolicyType.PROPERTY)),
            property_paid_total=_sum_money("paid_amount", policy__policy_type=PolicyType.PROPERTY),
        )
    )
    return {
        "count": row["count"],
        "person_times": row["person_times"],
        "paid_total": _money(row["paid_total"]),
        "property_count": row["property_count"],
        "property_paid_total": _money(row["property_paid_total"]),
    }


def claims_by_type_year(years, counties=None) -> list[dict]:
    """Paid claims per paid-date year and insurance type; every (year, type) pair is listed,
    zeros included, ordered by year then type. One query."""
    years = sorted({int(y) for y in years})
    if not years:
        return []
    rows = (
        _paid_claims(counties)
        .filter(paid_date__year__in=years)
        .annotate(paid_year=ExtractYear("paid_date"))
        .values("paid_year", "policy__policy_type")
        .annotate(count=Count("id"), person_times=_sum_int("persons"), paid_total=_sum_money("paid_amount"))
    )
    found = {(r["paid_year"], r["policy__policy_type"]): r for r in rows}
    result = []
    for year in years:
        for policy_type in PolicyType:
            r = found.get((year, policy_type.value), {})
            result.append(
                {
                    "year": year,
                    "policy_type": policy_type.value,
                    "label": str(policy_type.label),
                    "count": r.get("count", 0),
                    "person_times": r.get("person_times", 0),
                    "paid_total": _money(r.get("paid_total")),
                }
            )
    return result


def premium_by_source(year: int, counties=None) -> list[dict]:
    """Premiums of the year's policies by who paid them, every source listed in a fixed
    order (zeros included). One query."""
    rows = (
        in_counties(PremiumFunding.objects.filter(policy__year_id=year), counties)
        .values("source")
        .annotate(amount=_sum_money("amount"), persons=_sum_int("persons"))
    )
    found = {r["source"]: r for r in rows}
    return [
        {
            "source": source.value,
            "label": str(source.label),
            "amount": _money(found.get(source.value, {}).get("amount")),
            "persons": found.get(source.value, {}).get("persons", 0),
        }
        for source in FundingSource
    ]


@freshness.also_reads(freshness.RETURNS)  # the reporting schools' counts of students
def coverage(year: int, counties=None) -> dict:
    """County totals of 学平险 coverage for ``year`` (plus the number of schools reporting). One query."""
    # 在校学生 and 贫困家庭学生 are the reporting schools' yearly counts (their submissions).
    row = in_counties(StudentAccidentCoverage.objects.filter(year_id=year), counties).with_counts().aggregate(
        enrolled=_sum_int("counted_students"),
        insured_parent_paid=_sum_int("insured_parent_paid"),
        poor_students=_sum_int("counted_poor"),
        poor_free_by_insurer=_sum_int("poor_free_by_insurer"),
        poor_advanced_by_school=_sum_int("poor_advanced_by_school"),
        advance_amount=_sum_money("advance_amount"),
        school_count=Count("id"),
    )
    row["advance_amount"] = _money(row["advance_amount"])
    return row


def policies(year: int, counties=None) -> list[dict]:
    """The year's policies, county-wide ones (school_id None) included. One query."""
    rows = (
        in_counties(InsurancePolicy.objects.filter(year_id=year), counties)
        .select_related("insurer", "broker", "school")
        .order_by("policy_type", "school__code", "policy_no")
    )
    order = {t.value: i for i, t in enumerate(PolicyType)}
    result = [
        {
            "id": p.pk,
            "policy_no": p.policy_no,
            "policy_type": p.policy_type,
            "label": p.get_policy_type_display(),
            "insurer": p.insurer.name,
            "broker": p.broker.name if p.broker_id else "",
            "school_id": p.school_id,
            "school_name": p.school.name if p.school_id else "",
            "premium_total": _money(p.premium_total),
            "sum_insured": _money(p.sum_insured) if p.sum_insured is not None else None,
            "insured_count": p.insured_count,
            "coverage_start": p.coverage_start,
            "coverage_end": p.coverage_end,
        }
        for p in rows
    ]
    result.sort(key=lambda r: (order[r["policy_type"]], r["school_name"], r["policy_no"]))
    return result


def milestones(counties=None) -> dict:
    """The first year with both 财产险 and 责任险, the year the city started paying 财产险, the
    year the broker was entrusted, and the broker's fees. Three queries."""
    firsts = dict(
        in_counties(InsurancePolicy.objects.all(), counties).filter(policy_type__in=[PolicyType.PROPERTY, PolicyType.LIABILITY])
        .values("policy_type")
        .annotate(first=Min("year_id"))
        .values_list("policy_type", "first")
    )
    both = (
        max(firsts[PolicyType.PROPERTY], firsts[PolicyType.LIABILITY])
        if PolicyType.PROPERTY in firsts and PolicyType.LIABILITY in firsts
        else None
    )
    city_years = [
        r.from_year
        for r in in_counties(FundingRule.objects.all(), counties)
        .filter(insurance_type=PolicyType.PROPERTY).only("from_year", "allowed_sources")
        if FundingSource.CITY in (r.allowed_sources or [])
    ]
    brokers = list(in_counties(Insurer.objects.all(), counties).filter(role=Insurer.Role.BROKER)
                   .order_by("entrusted_from_year", "name"))
    dated = [b for b in brokers if b.entrusted_from_year]
    broker = dated[0] if dated else (brokers[0] if brokers else None)
    return {
        "first_property_liability_year": both,
        "property_paid_by_city_from_year": min(city_years) if city_years else None,
        "broker_name": broker.name if broker else "",
        "broker_entrusted_from_year": broker.entrusted_from_year if broker else None,
        "broker_fee_total": _money(sum((b.service_fee for b in brokers), start=ZERO)),
    }


def school_sheet(year: int, school_id: int) -> dict:
    """One school's 学平险 row and its claims of ``year`` (personal data masked). Two queries."""
    return school_sheets([year], school_id)[year]


def school_sheets(years, school_id: int) -> dict[int, dict]:
    """:func:`school_sheet` of each of ``years``, ``{year: sheet}``, in the same two queries."""
    years = list(years)
    coverage_rows = {}
    for row in StudentAccidentCoverage.objects.filter(year_id__in=years, school_id=school_id).with_counts():
        coverage_rows[row.year_id] = {
            "enrolled": row.enrolled,
            "insured_parent_paid": row.insured_parent_paid,
            "poor_students": row.poor_students,
            "poor_free_by_insurer": row.poor_free_by_insurer,
            "poor_advanced_by_school": row.poor_advanced_by_school,
            "insured_total": row.insured_total,
            "advance_amount": _money(row.advance_amount),
            "voluntary_consent_recorded": row.voluntary_consent_recorded,
        }
    claims_of: dict[int, list[dict]] = {year: [] for year in years}
    for c in (Claim.objects.filter(year_id__in=years, school_id=school_id).select_related("policy")
              .order_by("incident_date", "id")):
        claims_of[c.year_id].append({
            "id": c.pk,
            "claim_no": c.claim_no,
            "policy_type": c.policy.policy_type,
            "label": c.policy.get_policy_type_display(),
            "claimant_kind": c.get_claimant_kind_display(),
            "injured": c.masked_name,
            "incident_date": c.incident_date,
            "cause": c.cause,
            "persons": c.persons,
            "requested_amount": _money(c.requested_amount),
            "paid_amount": _money(c.paid_amount) if c.paid_amount is not None else None,
            "status": c.status,
            "status_label": c.get_status_display(),
            "paid_date": c.paid_date,
        })
    out = {}
    for year in years:
        claims = claims_of[year]
        paid = [c for c in claims if c["status"] in PAID_STATUSES]
        out[year] = {
            "coverage": coverage_rows.get(year),
            "claims": claims,
            "claim_count": len(claims),
            "paid_count": len(paid),
            "person_times": sum(c["persons"] for c in paid),
            "paid_total": _money(sum((c["paid_amount"] for c in paid), start=ZERO)),
        }
    return out


ROWS_PAGES = {
    "claims": "insurance:claim_list",
    "coverage": "insurance:coverage_list",
    "policies": "insurance:policy_list",
    "funding": "insurance:funding_list",
}


def rows_url(kind: str, year: int, **filters) -> str:
    """URL of the list page showing the rows behind a figure.

    kinds: ``claims`` (filters: status, policy_type, claimant_kind, school, paid_year,
    paid_from, paid_to; ``paid=True`` is shorthand for status=paid&paid_year=year, matching
    :func:`claims_summary`), ``coverage`` (school), ``policies`` (policy_type, school),
    ``funding`` (source, policy_type)."""
    if kind not in ROWS_PAGES:
        raise ValueError(f"unknown kind {kind!r}")
    params: dict = {}
    if kind == "claims" and filters.pop("paid", False):
        params["status"] = ClaimStatus.PAID.value
        if "paid_from" not in filters and "paid_to" not in filters:
            params["paid_year"] = year
    else:
        params["year"] = year
    params.update({k: v for k, v in filters.items() if v is not None and v != ""})
    if any(k in params for k in ("paid_year", "paid_from", "paid_to")):
        params.pop("year", None)
    return reverse(ROWS_PAGES[kind]) + "?" + urlencode(params)


def finding_labels(year: int, counties=None) -> set[str]:
    """How this app's warnings without a school name their rows (a county-wide policy), for the
    policies of ``counties`` in ``year``: a county's summary lists those warnings. One query."""
    rows = in_counties(InsurancePolicy.objects.filter(year_id=year, school__isnull=True), counties)
    return {str(policy) for policy in rows}
