"""Fixtures for the trust tests: login throttling switched on, a small world of data."""

from __future__ import annotations

import pytest
from django.test import override_settings


@pytest.fixture
def axes_on(db):
    """django-axes enabled (settings_test switches it off) and reset before and after."""
    from axes.utils import reset

    with override_settings(AXES_ENABLED=True):
        reset()
        yield
        reset()


@pytest.fixture
def api_client(director):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(director)
    return client


@pytest.fixture
def principal_api_client(principal_a):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(principal_a)
    return client


@pytest.fixture
def trust_world(db, school_a, school_b, year, director, principal_a, principal_b, auditor):
    """The permission matrix's world: school A and B with every app's objects of school B."""
    from types import SimpleNamespace

    from tests.factories import SubmissionFactory
    from tests.test_permission_matrix import CASE_MODULES

    w = SimpleNamespace(
        school_a=school_a, school_b=school_b, year=year, director=director,
        principal_a=principal_a, principal_b=principal_b, auditor=auditor,
    )
    w.submission_a = SubmissionFactory(school=school_a, year=year)
    w.submission_b = SubmissionFactory(school=school_b, year=year)
    for module in CASE_MODULES:
        build = getattr(module, "build", None)
        if build is not None:
            build(w)
    return w
