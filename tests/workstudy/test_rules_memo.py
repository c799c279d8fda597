"""The open warnings are kept between requests until data changes — one copy per language,
since their messages are written in the reader's language."""

from decimal import Decimal

import pytest
from django.utils import translation

from tests.factories import ReportingYearFactory, SchoolFactory
from tests.labor_bases.factories import LaborBaseFactory, LandParcelFactory
from workstudy import rules


@pytest.mark.django_db(transaction=True)
def test_kept_warnings_follow_the_readers_language_and_the_data():
    year = ReportingYearFactory(year=2024)
    base = LaborBaseFactory(school=SchoolFactory(code="M001", name="记忆学校"), name="记忆基地",
                            declared_total_mu=Decimal("12"))
    LandParcelFactory(base=base, year=year, area_mu=Decimal("10"))
    with translation.override("zh-hans"):
        chinese = [f.message for f in rules.findings(2024) if f.rule.code == "LB-03"]
    with translation.override("en"):
        english = [f.message for f in rules.findings(2024) if f.rule.code == "LB-03"]
    with translation.override("zh-hans"):
        again = [f.message for f in rules.findings(2024) if f.rule.code == "LB-03"]
    assert len(chinese) == 1 and "申报总面积" in chinese[0]
    assert len(english) == 1 and "申报" not in english[0] and "12" in english[0]
    assert again == chinese
    LandParcelFactory(base=base, year=year, area_mu=Decimal("2"))  # now 12 = 12: the warning goes
    with translation.override("en"):
        assert not [f for f in rules.findings(2024) if f.rule.code == "LB-03"]
