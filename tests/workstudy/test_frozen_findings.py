"""A locked year's warnings are those of its lock: renaming a school or a base afterwards
changes no warning of that year (review screen, staff grid, overview, in Chinese and English),
nor the name on a row's own page; reopening lets them follow the data again."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import ReportingYearFactory, SubmissionFactory
from tests.insurance.factories import ClaimFactory, PolicyFactory
from tests.labor_bases.factories import BaseYearAreaFactory, LaborBaseFactory, LandParcelFactory
from workstudy import rules, services
from workstudy.models import FrozenFindings, SubmissionStatus


@pytest.fixture
def locked_2023(director, school_a, year):
    """2023 with one LB-03 warning (plots 10 亩 against 12 declared) on 老茶园基地 of school A,
    and a claim; locked through the service, as the 年度 page does."""
    old = ReportingYearFactory(year=2023)
    submission = SubmissionFactory(school=school_a, year=old, status=SubmissionStatus.APPROVED)
    base = LaborBaseFactory(school=school_a, name="老茶园基地")
    BaseYearAreaFactory(base=base, year=old, declared_total_mu=Decimal("12"))
    LandParcelFactory(base=base, year=old, area_mu=Decimal("10"))
    claim = ClaimFactory(school=school_a, policy=PolicyFactory(school=school_a, year=old))
    services.year_lock(user=director, year=old)
    return {"year": old, "submission": submission, "base": base, "claim": claim, "school_name": school_a.name}


def _messages(year, school_id=None):
    return [(f.rule.code, f.message, f.school_name, f.obj_label, f.school_id) for f in rules.findings(year, school_id)]


@pytest.mark.django_db
def test_a_locked_years_warnings_read_as_at_the_lock(locked_2023, director, director_client, school_a):
    with translation.override("zh-hans"):
        before_zh = _messages(2023)
    with translation.override("en"):
        before_en = _messages(2023)
    assert any(code == "LB-03" and "老茶园基地" in message for code, message, *_ in before_zh), before_zh
    assert any(code == "LB-03" and "老茶园基地" in message for code, message, *_ in before_en), before_en
    assert before_zh != before_en, "the English warnings are kept in English"
    assert set(FrozenFindings.objects.filter(year_id=2023).values_list("language", flat=True)) == {"zh-hans", "en"}

    base = locked_2023["base"]
    base.name = "新茶园基地"
    base.save()
    school_a.name = "改名后的学校"
    school_a.save()

    with translation.override("zh-hans"):
        assert _messages(2023) == before_zh
        assert _messages(2023, school_a.pk) == [m for m in before_zh if m[4] == school_a.pk]
    with translation.override("en"):
        assert _messages(2023) == before_en

    review = director_client.get(reverse("submission_detail", args=[locked_2023["submission"].pk])).content.decode()
    assert "老茶园基地" in review and "新茶园基地" not in review
    sheet = director_client.get(reverse("labor_bases:index") + f"?year=2023&school={school_a.pk}").content.decode()
    assert "新茶园基地" not in sheet
    claim = director_client.get(reverse("insurance:claim_detail", args=[locked_2023["claim"].pk])).content.decode()
    assert locked_2023["school_name"] in claim and "改名后的学校" not in claim

    # Reopened, the year follows its data again: the warning names the base as it is now.
    services.year_reopen(user=director, year=locked_2023["year"], reason="更正")
    assert not FrozenFindings.objects.filter(year_id=2023).exists()
    with translation.override("zh-hans"):
        now = _messages(2023)
    assert any("新茶园基地" in message for _code, message, *_ in now)
    assert not any("老茶园基地" in message for _code, message, *_ in now)


@pytest.mark.django_db
def test_the_summary_appendix_prints_the_kept_warnings(locked_2023, school_a):
    from reports.figures import frozen

    summary = frozen(2023)
    with translation.override("zh-hans"):
        kept = [f.message for f in rules.findings(2023)]
    printed = [row["message"] for row in summary.data["findings"] if row["code"] == "LB-03"]
    assert printed == [m for m in kept if "老茶园基地" in m] and printed


@pytest.mark.django_db(transaction=True)
def test_whether_a_year_is_frozen_is_read_once_per_core_stamp(locked_2023, director, school_a):
    """Outside a transaction (as a page is served), a module checked again does not read the
    year's frozen warnings again while the core's stamp stands; reopening the year moves the stamp,
    and its warnings follow the data at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    table = FrozenFindings._meta.db_table
    with translation.override("zh-hans"):
        with CaptureQueriesContext(connection) as first:
            before = _messages(2023)
        with CaptureQueriesContext(connection) as second:
            assert _messages(2023, school_a.pk) == [m for m in before if m[4] == school_a.pk]
    assert sum(table in q["sql"] for q in first) == 1
    assert sum(table in q["sql"] for q in second) == 0, "read again under the same core stamp"

    locked_2023["base"].name = "新茶园基地"
    locked_2023["base"].save()
    with translation.override("zh-hans"):
        assert _messages(2023) == before, "still locked: as at the lock"
    services.year_reopen(user=director, year=locked_2023["year"], reason="更正")
    with translation.override("zh-hans"):
        after = _messages(2023)
    assert any(code == "LB-03" and "新茶园基地" in message for code, message, *_ in after), after
