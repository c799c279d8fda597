"""Fixtures shared by every test: the two schools A and B, and a user of each role.

Like healthchecks' alice/bob/charlie: ``principal_a`` owns school A, ``principal_b``
owns school B; ``director`` is bureau staff who may approve and lock; ``clerk`` is
bureau staff who may not; ``auditor`` reads everything.
"""

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from tests.factories import ReportingYearFactory, SchoolFactory, SubmissionFactory, UserFactory
from workstudy.models import Role


@pytest.fixture(autouse=True)
def _no_kept_warnings():
    """Every test starts without warnings kept in the process by an earlier test's database
    (workstudy.rules keeps each module's and, for the labor bases, each school's)."""
    from workstudy import rules

    rules.forget_kept()


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the portal's language (zh-hans). A request in English
    leaves English active in the thread, which would leak into the next test."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def year(db):
    return ReportingYearFactory(year=2024)


@pytest.fixture
def school_a(db):
    return SchoolFactory(code="A001", name="甲校樟坪", has_dormitory=True, has_canteen=True)


@pytest.fixture
def school_b(db):
    return SchoolFactory(code="B001", name="乙校SECRETB", has_dormitory=True, has_canteen=True)


@pytest.fixture
def submission_a(school_a, year):
    return SubmissionFactory(school=school_a, year=year)


@pytest.fixture
def submission_b(school_b, year):
    return SubmissionFactory(school=school_b, year=year)


@pytest.fixture
def director(db):
    return UserFactory(username="director", role=Role.STAFF, is_director=True, first_name="王主任")


@pytest.fixture
def clerk(db):
    return UserFactory(username="clerk", role=Role.STAFF)


@pytest.fixture
def principal_a(school_a):
    return UserFactory(username="principal_a", role=Role.PRINCIPAL, school=school_a, is_staff=False)


@pytest.fixture
def principal_b(school_b):
    return UserFactory(username="principal_b", role=Role.PRINCIPAL, school=school_b, is_staff=False)


@pytest.fixture
def auditor(db):
    return UserFactory(username="auditor", role=Role.AUDITOR, is_staff=False)


def _client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def director_client(director):
    return _client_for(director)


@pytest.fixture
def clerk_client(clerk):
    return _client_for(clerk)


@pytest.fixture
def principal_a_client(principal_a):
    return _client_for(principal_a)


@pytest.fixture
def principal_b_client(principal_b):
    return _client_for(principal_b)


@pytest.fixture
def auditor_client(auditor):
    return _client_for(auditor)
