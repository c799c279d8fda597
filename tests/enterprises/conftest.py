import pytest

from tests.enterprises.factories import EnterpriseFactory, ReformEventFactory, YearStatFactory
from tests.factories import ReportingYearFactory


@pytest.fixture
def year_2023(db):
    return ReportingYearFactory(year=2023)


@pytest.fixture
def bureau_enterprise(db):
    """Sponsored by the bureau's 勤工办: principals never see it."""
    return EnterpriseFactory(name="宏达乳胶漆厂BUREAU", kind="paint", sponsor_school=None)


@pytest.fixture
def enterprise_a(school_a):
    return EnterpriseFactory(name="甲校校服厂", sponsor_school=school_a)


@pytest.fixture
def enterprise_b(school_b):
    return EnterpriseFactory(name="乙校校具厂", kind="furniture", sponsor_school=school_b)


@pytest.fixture
def stat_bureau(bureau_enterprise, year):
    return YearStatFactory(enterprise=bureau_enterprise, year=year)


@pytest.fixture
def event_bureau(bureau_enterprise):
    return ReformEventFactory(enterprise=bureau_enterprise)
