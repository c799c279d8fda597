"""PDF jobs on PostgreSQL with several workers at once: no job is made twice, and one asked
for by two requests at the same moment is one job. (The lifecycle tests in
test_pdf_worker.py run on PostgreSQL too when DATABASE_URL names one.)"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections
from django.utils import timezone

from reports import pdf, render_jobs
from reports.models import RenderJob
from tests.factories import ReportingYearFactory, SchoolFactory

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks (SKIP LOCKED) between connections need PostgreSQL"
)


def _together(n, action):
    """Run ``action(i)`` in ``n`` threads released together, each on its own connection."""
    barrier = threading.Barrier(n)
    outcomes: list[object] = [None] * n

    def run(i):
        try:
            barrier.wait(timeout=10)
            outcomes[i] = action(i)
        except Exception as exc:  # noqa: BLE001 - the outcome is what we assert on
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


@pytest.fixture
def sheet_jobs(transactional_db, settings, tmp_path):
    settings.PORTAL_PDF_INLINE = False
    settings.MEDIA_ROOT = tmp_path / "media"
    ReportingYearFactory(year=2024)
    schools = [SchoolFactory(code=f"P{i:03d}", name=f"并发学校{i}") for i in range(8)]
    return [render_jobs.request(render_jobs.Kind.SHEET, 2024, f"fp-{s.pk}", school=s) for s in schools]


@pytest.mark.postgres
@needs_postgres
@pytest.mark.parametrize("skip_locked", [True, False], ids=["skip-locked", "conditional-update"])
def test_two_workers_never_make_the_same_job(sheet_jobs, monkeypatch, skip_locked):
    monkeypatch.setattr(type(connection.features), "has_select_for_update_skip_locked", skip_locked)
    made: list[tuple[int, int]] = []
    lock = threading.Lock()

    def render(job):
        # A render that takes a while, so the two workers overlap (the claim is what is tested).
        time.sleep(0.2)
        with lock:
            made.append((job.pk, threading.get_ident()))
        return pdf._result(2024, f"%PDF-1.7 sheet {job.pk}".encode(), job.fingerprint, 0, timezone.now(), "rendered")

    monkeypatch.setattr(pdf, "render_for_job", render)
    outcomes = _together(2, lambda i: render_jobs.work(once=True, worker=f"w{i}"))
    assert all(isinstance(o, int) for o in outcomes), outcomes
    assert sum(outcomes) == len(sheet_jobs)
    rendered = [pk for pk, _thread in made]
    assert sorted(rendered) == sorted(job.pk for job in sheet_jobs), "every job made exactly once"
    assert len({thread for _pk, thread in made}) == 2, "both workers took jobs"
    jobs = RenderJob.objects.all()
    assert {(j.state, j.attempts) for j in jobs} == {("done", 1)}
    assert {j.worker for j in jobs} == {"w0", "w1"}
    for job in jobs:
        with job.pdf.open("rb") as handle:
            assert handle.read() == f"%PDF-1.7 sheet {job.pk}".encode()


@pytest.mark.postgres
@needs_postgres
def test_one_job_for_requests_at_the_same_moment(transactional_db, settings):
    settings.PORTAL_PDF_INLINE = False
    ReportingYearFactory(year=2024)
    outcomes = _together(4, lambda i: render_jobs.request(render_jobs.Kind.SUMMARY, 2024, "same-data").pk)
    assert all(isinstance(o, int) for o in outcomes), outcomes
    assert len(set(outcomes)) == 1 and RenderJob.objects.count() == 1
