"""What a report sent stays as sent; the page says when the data moved since."""

import pytest
from django.test import Client

from tests.enterprises.factories import EnterpriseFactory
from tests.factories import ReportingYearFactory
from upward import services, snapshot
from upward.models import RegionSubmission


@pytest.fixture
def year(db):
    return ReportingYearFactory(year=2024)


def _figure(report, key):
    return next(f for f in report.figures if f["key"] == key)


def test_the_sent_figures_do_not_follow_the_data(tree, people, year):
    EnterpriseFactory(name="甲县校办厂", county=tree["a"])
    report = services.act(user=people["dir_a"], region=tree["a"], year=year, action="submit")
    sent = (list(report.figures), report.fingerprint)
    assert _figure(report, "enterprise_count")["value"] == 1
    assert snapshot.changes(report) is None

    EnterpriseFactory(name="甲县新办厂", county=tree["a"])  # the data changes after the submission
    report = RegionSubmission.objects.get(pk=report.pk)
    assert (report.figures, report.fingerprint) == sent
    assert _figure(report, "enterprise_count")["value"] == 1
    moved = snapshot.changes(report)
    assert moved is not None
    assert [row[1:] for row in moved["figures"] if "企业" in row[0]] == [("一家", "二家")]

    client = Client()
    client.force_login(people["dir_city"])
    page = client.get(f"/upward/{year.pk}/{tree['a'].pk}/").content.decode()
    assert "数据已在上报后变动" in page
    assert _figure(report, "enterprise_count")["label"] in page


def test_an_unchanged_report_says_nothing_moved(tree, people, year):
    report = services.act(user=people["dir_a"], region=tree["a"], year=year, action="submit")
    client = Client()
    client.force_login(people["dir_city"])
    page = client.get(f"/upward/{year.pk}/{tree['a'].pk}/").content.decode()
    assert report.fingerprint[:16] in page
    assert "数据已在上报后变动" not in page


def test_a_city_report_moves_when_a_county_report_moves_after_it(tree, people, year):
    services.act(user=people["dir_a"], region=tree["a"], year=year, action="submit")
    services.act(user=people["dir_city"], region=tree["a"], year=year, action="approve")
    city = services.act(user=people["dir_city"], region=tree["city"], year=year, action="submit")
    assert snapshot.changes(city) is None
    services.act(user=people["dir_b"], region=tree["b"], year=year, action="submit")  # late, after the city's
    city.refresh_from_db()
    moved = snapshot.changes(city)
    assert [name for name, _was, _now in moved["parts"]] == ["余江区"]
    assert [p["status"] for p in city.parts] == ["approved", "draft"]


def test_another_countys_data_does_not_move_a_countys_report(tree, people, year):
    report = services.act(user=people["dir_a"], region=tree["a"], year=year, action="submit")
    EnterpriseFactory(name="乙县校办厂", county=tree["b"])
    assert snapshot.changes(RegionSubmission.objects.get(pk=report.pk)) is None
    EnterpriseFactory(name="甲县校办厂", county=tree["a"])
    assert snapshot.changes(RegionSubmission.objects.get(pk=report.pk)) is not None
