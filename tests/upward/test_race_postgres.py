"""Two directors' clicks at once on PostgreSQL: the report's row lock lets one submission in."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from tests.factories import ReportingYearFactory
from upward import services
from upward.models import RegionSubmission, RegionSubmissionEvent


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_one_wins(tree, people):
    if connection.vendor != "postgresql":
        pytest.skip("two writers at once need PostgreSQL (SQLite locks the whole database for a writer)")
    year = ReportingYearFactory(year=2024)
    start = threading.Barrier(2)
    outcomes, failures = [], []

    def submit():
        try:
            start.wait(10)
            services.act(user=people["dir_a"], region=tree["a"], year=year, action="submit", version=1)
            outcomes.append("submitted")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        except Exception as exc:  # pragma: no cover - reported below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures
    assert len(outcomes) == 2 and outcomes.count("submitted") == 1
    loser = next(o for o in outcomes if o != "submitted")
    assert "请刷新" in loser
    report = RegionSubmission.objects.get(region=tree["a"], year=year)
    assert (report.status, report.version) == ("submitted", 2)
    assert RegionSubmissionEvent.objects.filter(submission=report).count() == 1
