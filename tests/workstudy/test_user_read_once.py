"""Each request reads its signed-in user with the school, county and region that every page's
scoping and header ask of it (workstudy.backends.PortalBackend): no page makes a query of its
own for them."""

import re

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext

from workstudy.backends import PortalBackend
from workstudy.models import Region, School


def _region_or_school_by_id(queries):
    """Queries that read one region or one school by its id alone: what ``user.school``,
    ``school.county`` and ``user.region`` cost when the user was read without them."""
    alone = re.compile(r'FROM "workstudy_(region|school)" WHERE "workstudy_(region|school)"\."id" = \S+ LIMIT 21$')
    return [query["sql"] for query in queries if alone.search(query["sql"])]


@pytest.mark.django_db
def test_the_backend_reads_the_school_its_county_and_the_region_with_the_user(principal_a, director):
    backend = PortalBackend()
    with CaptureQueriesContext(connection) as queries:
        principal = backend.get_user(principal_a.pk)
        staff = backend.get_user(director.pk)
        assert isinstance(principal.school, School) and isinstance(principal.school.county, Region)
        assert isinstance(staff.region, Region)
    assert len(queries) == 2
    principal_a.is_active = False
    principal_a.save()
    assert backend.get_user(principal_a.pk) is None
    assert backend.get_user(10**9) is None


@pytest.mark.django_db
def test_a_signed_in_session_names_the_portal_backend(client, principal_a):
    assert client.post("/login/", {"username": "principal_a", "password": "test-pass-123"}).status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == "workstudy.backends.PortalBackend"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/?year=2024", "/labor-bases/?year=2024", "/labor-bases/production/?year=2024"])
def test_a_principals_pages_read_no_region_and_not_the_school_alone(principal_a_client, principal_a, submission_a, path):
    with CaptureQueriesContext(connection) as queries:
        response = principal_a_client.get(path)
    assert response.status_code == 200
    assert principal_a.school.county.name in response.content.decode()  # the header's county
    assert not _region_or_school_by_id(queries.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/?year=2024", "/schools/?year=2024", "/labor-bases/plots/?year=2024"])
def test_a_bureau_users_pages_read_no_region_alone(director_client, director, year, path):
    with CaptureQueriesContext(connection) as queries:
        response = director_client.get(path)
    assert response.status_code == 200
    assert director.region.name in response.content.decode()
    assert not _region_or_school_by_id(queries.captured_queries)
