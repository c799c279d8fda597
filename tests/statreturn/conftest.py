import pytest

from tests.enterprises.factories import EnterpriseFactory, YearStatFactory
from tests.statreturn.factories import EnterpriseReturnFactory


@pytest.fixture
def enterprise_a(school_a):
    return EnterpriseFactory(name="甲校校服厂", sponsor_school=school_a, sponsor_label="")


@pytest.fixture
def enterprise_b(school_b):
    return EnterpriseFactory(name="乙校校具厂SECRETB", sponsor_school=school_b, sponsor_label="")


@pytest.fixture
def bureau_enterprise(db):
    return EnterpriseFactory(name="勤工办乳胶漆厂")


@pytest.fixture
def stat_a(enterprise_a, year):
    return YearStatFactory(enterprise=enterprise_a, year=year)


@pytest.fixture
def stat_b(enterprise_b, year):
    return YearStatFactory(enterprise=enterprise_b, year=year)


@pytest.fixture
def return_b(stat_b, enterprise_b, year):
    return EnterpriseReturnFactory(enterprise=enterprise_b, year=year)
