"""The Server-Timing header: what each answer cost the server (the load test's table of where
the time went reads it; the people who run the portal read it in their browser)."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

TIMING = re.compile(r'^app;dur=([0-9.]+), cpu;dur=([0-9.]+), db;dur=([0-9.]+);desc="(\d+)"$')


def test_off_by_default(director_client, year):
    assert "Server-Timing" not in director_client.get("/", {"year": 2024})


def test_each_answer_says_its_time_its_cpu_and_its_statements(director_client, year, school_a, settings):
    settings.PORTAL_SERVER_TIMING = True
    with CaptureQueriesContext(connection) as queries:
        response = director_client.get("/", {"year": 2024})
    assert response.status_code == 200
    found = TIMING.match(response["Server-Timing"])
    assert found, response["Server-Timing"]
    app, cpu, db, statements = (float(found[1]), float(found[2]), float(found[3]), int(found[4]))
    assert statements == len(queries) > 0  # every statement of the request, the session's included
    assert app > 0 and cpu > 0
    assert db <= app + 0.1  # the statements ran inside the request (each figure rounded to 0.1 ms)


def test_a_redirect_and_an_anonymous_page_say_it_too(client, db, settings):
    settings.PORTAL_SERVER_TIMING = True
    assert TIMING.match(client.get("/")["Server-Timing"])  # to the sign-in page
    assert TIMING.match(client.get("/login/")["Server-Timing"])
