import pytest

from tests.labor_bases.factories import LaborBaseFactory
from tests.labor_education.factories import LaborEducationFactory


@pytest.fixture
def record_a(school_a, year, submission_a):
    return LaborEducationFactory(school=school_a, year=year)


@pytest.fixture
def record_b(school_b, year, submission_b):
    return LaborEducationFactory(school=school_b, year=year)


@pytest.fixture
def base_a(school_a):
    return LaborBaseFactory(school=school_a, name="甲校茶园")


@pytest.fixture
def base_b(school_b):
    return LaborBaseFactory(school=school_b, name="乙校菜园")
