import pytest

from tests.logistics.factories import (
    ExamLodgingProgramFactory,
    ExamSiteFactory,
    SchoolServiceFactory,
    ServiceCentreFactory,
)


@pytest.fixture
def centre(db):
    return ServiceCentreFactory()


@pytest.fixture
def service_a(school_a, year, submission_a):
    return SchoolServiceFactory(school=school_a, year=year, kind="canteen", mode="self_run")


@pytest.fixture
def service_b(school_b, year, submission_b):
    return SchoolServiceFactory(school=school_b, year=year, kind="canteen", mode="contracted", operator="乙校承包人")


@pytest.fixture
def program(year, centre):
    return ExamLodgingProgramFactory(year=year, operator=centre)


@pytest.fixture
def site_b(program, school_b):
    return ExamSiteFactory(program=program, host_school=school_b, candidates=300, beds=310)
