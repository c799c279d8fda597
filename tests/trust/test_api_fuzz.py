"""Schemathesis against the project's own OpenAPI schema, through the WSGI app, as staff.

Every GET operation gets a bounded number of generated requests (valid and invalid
query/path values); none may answer 5xx. Runs in well under a minute.
"""

from __future__ import annotations

import contextlib
import time

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

EXAMPLES_PER_OPERATION = 15
TIME_BUDGET_SECONDS = 40


@contextlib.contextmanager
def keep_test_connection():
    """Like django.test.Client: the raw WSGI app must not close the test's DB connection
    at the end of each request (on PostgreSQL that would end the test transaction).
    (Every django.test.Client call reconnects these, so use it around the raw calls only.)"""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def staff_session(trust_world):
    client = Client()
    client.force_login(trust_world.director)
    return client


def _load_schema(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content[:500]
    raw = response.json() if response["Content-Type"].startswith("application/json") else None
    if raw is None:
        import yaml

        raw = yaml.safe_load(response.content)
    schema = schemathesis.openapi.from_dict(raw).include(method="GET")
    schema.app = get_wsgi_application()
    return raw, schema


def test_schema_lists_the_core_endpoints(staff_session):
    raw, _schema = _load_schema(staff_session)
    paths = raw["paths"]
    for path in ("/api/submissions/", "/api/submissions/{id}/", "/api/schools/", "/api/years/"):
        assert path in paths, sorted(paths)


def test_no_get_endpoint_answers_5xx(staff_session):
    _raw, schema = _load_schema(staff_session)
    cookies = {"sessionid": staff_session.cookies["sessionid"].value}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 6, [op.label for op in operations]

    failures: list[str] = []
    calls = {"n": 0}
    started = time.monotonic()

    for operation in operations:
        per_operation = {"n": 0}
        strategy = st.one_of(
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        )

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def run(case):
            # Over budget (a slow machine): still at least two requests per operation.
            if time.monotonic() - started > TIME_BUDGET_SECONDS and per_operation["n"] >= 2:  # noqa: B023
                return
            response = case.call(cookies=cookies)
            per_operation["n"] += 1  # noqa: B023
            calls["n"] += 1
            calls.setdefault(response.status_code, 0)
            calls[response.status_code] += 1
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} query={case.query!r} -> {response.status_code}"
                )

        with keep_test_connection():
            run()

    assert calls["n"] >= len(operations), "the fuzzer sent fewer requests than there are operations"
    assert not failures, "5xx from the API:\n" + "\n".join(sorted(set(failures))[:30])
    assert calls.get(200, 0) >= len(operations) // 2, f"too few successful calls (not logged in?): {calls}"
