"""REST API: staff write through the same rules; ?year= filters; profit is read-only."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from enterprises.models import EnterpriseYearStat, ReformEvent
from tests.enterprises.factories import EnterpriseFactory, ReformEventFactory, YearStatFactory

pytestmark = pytest.mark.django_db


def _rows(response):
    data = response.json()
    return data["results"] if isinstance(data, dict) and "results" in data else data


def test_staff_creates_figures_and_profit_is_computed(director_client, bureau_enterprise, year):
    response = director_client.post(reverse("enterprise-figure-list"), {
        "enterprise": bureau_enterprise.pk, "year": 2024, "revenue": "860000.00", "cost": "790000.00",
        "profit": "1", "employees": 15, "remitted_to_education": "30000"}, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["profit"] == "70000.00"
    assert EnterpriseYearStat.objects.get().profit == Decimal("70000.00")


def test_api_enforces_the_rules(director_client, bureau_enterprise, year):
    response = director_client.post(reverse("enterprise-figure-list"), {
        "enterprise": bureau_enterprise.pk, "year": 2024, "revenue": "1000", "employees": -1},
        content_type="application/json")
    assert response.status_code == 400
    errors = response.json()
    assert "请填写成本" in errors["cost"][0] and "应在 0 至" in errors["employees"][0]


def test_year_filters(director_client, year, year_2023):
    old = EnterpriseFactory(name="老厂", founded_year=1980, status="closed", closed_year=2023)
    new = EnterpriseFactory(name="新厂", founded_year=2024)
    YearStatFactory(enterprise=old, year=year_2023)
    YearStatFactory(enterprise=new, year=year)
    ReformEventFactory(enterprise=old, date=datetime.date(2023, 5, 1), kind="investment")
    ReformEventFactory(enterprise=new, date=datetime.date(2024, 2, 1), kind="founded")
    figures = _rows(director_client.get(reverse("enterprise-figure-list") + "?year=2024"))
    assert [r["enterprise_name"] for r in figures] == ["新厂"]
    active_2023 = _rows(director_client.get(reverse("enterprise-list") + "?year=2023"))
    assert [r["name"] for r in active_2023] == ["老厂"]
    active_2024 = _rows(director_client.get(reverse("enterprise-list") + "?year=2024"))
    assert [r["name"] for r in active_2024] == ["新厂"]
    events = _rows(director_client.get(reverse("enterprise-event-list") + "?year=2024"))
    assert [(e["enterprise_name"], e["kind_label"]) for e in events] == [("新厂", "创办")]


def test_event_date_normalised_to_month(director_client, bureau_enterprise):
    response = director_client.post(reverse("enterprise-event-list"), {
        "enterprise": bureau_enterprise.pk, "date": "2019-06-18", "kind": "tender", "amount": "1500000",
        "counterparty": "某印刷公司"}, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["date"] == "2019-06-01"
    assert ReformEvent.objects.get().date == datetime.date(2019, 6, 1)


def test_enterprise_labels_and_sponsor(auditor_client, enterprise_a, bureau_enterprise):
    rows = {r["name"]: r for r in _rows(auditor_client.get(reverse("enterprise-list")))}
    assert rows[enterprise_a.name]["sponsor"] == enterprise_a.sponsor_school.name
    assert rows[bureau_enterprise.name]["sponsor"] == "勤工办"
    assert rows[bureau_enterprise.name]["kind_label"] == "乳胶漆厂"
    assert rows[bureau_enterprise.name]["status_label"] == "在营"
