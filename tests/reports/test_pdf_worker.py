"""Open years' PDFs are made by ``manage.py pdf_worker``, never in a web request: the request
asks for a job and serves the newest PDF made earlier, or a page that refreshes itself.
PDF renders are slow; these tests make few (a summary takes about a second)."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from reports import pdf, render_jobs
from reports.models import ArchivedDocument, NarrativeBlock, RenderJob
from workstudy.models import ReportingYear

PENDING = "正在生成最新版本，请稍候刷新"


@pytest.fixture(autouse=True)
def _worker_mode(settings, tmp_path):
    settings.PORTAL_PDF_INLINE = False
    settings.MEDIA_ROOT = tmp_path / "media"


def _text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).replace(" ", "").replace("\n", "")


def _rendered_files(settings) -> list:
    root = settings.MEDIA_ROOT / "reports" / "rendered"
    return sorted(root.iterdir()) if root.exists() else []


def _summary_url(year=2024):
    return reverse("reports:summary_pdf", kwargs={"year": year})


def test_web_request_never_renders_the_worker_does(auditor_client, county, settings):
    first = auditor_client.get(_summary_url())
    # Nothing was ever made: a page that says so and reloads itself; no PDF anywhere yet.
    assert first.status_code == 202 and first["Content-Type"].startswith("text/html")
    body = first.content.decode()
    assert 'http-equiv="refresh"' in body and "PDF 正在生成" in body
    assert first["Retry-After"] == "5" and first["X-Summary-Source"] == "pending"
    assert _rendered_files(settings) == []
    job = RenderJob.objects.get()
    assert (job.kind, job.year_id, job.state, job.pdf.name) == ("summary", 2024, "queued", "")
    # Asked again (download, sidecar, summary page): still the one job, still nothing made.
    assert auditor_client.get(_summary_url()).status_code == 202
    assert auditor_client.get(reverse("reports:summary_sha256", kwargs={"year": 2024})).status_code == 202
    page = auditor_client.get(reverse("reports:summary", kwargs={"year": 2024})).content.decode()
    assert PENDING in page and "上一版本" not in page
    assert RenderJob.objects.count() == 1 and _rendered_files(settings) == []

    assert render_jobs.work(once=True) == 1
    job.refresh_from_db()
    assert job.state == "done" and job.attempts == 1 and job.output_fingerprint == job.fingerprint
    response = auditor_client.get(_summary_url())
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Summary-Source"] == "made" and "X-PDF-Newer-Pending" not in response
    content = response.content
    assert response["X-Content-SHA256"] == hashlib.sha256(content).hexdigest() == job.sha256
    assert response["X-Data-Fingerprint"] == job.fingerprint
    assert "学校勤工俭学工作总结" in _text(content) and "第一段叙述。" in _text(content)
    assert len(_rendered_files(settings)) == 1
    sidecar = auditor_client.get(reverse("reports:summary_sha256", kwargs={"year": 2024})).content.decode()
    assert sidecar == f"{job.sha256}  workstudy-summary-2024.pdf\n"
    page = auditor_client.get(reverse("reports:summary", kwargs={"year": 2024})).content.decode()
    assert PENDING not in page and job.sha256 in page
    assert RenderJob.objects.count() == 1  # nothing more to make


def test_changed_data_serves_the_earlier_pdf_with_a_notice_until_the_new_one_is_made(
    auditor_client, director_client, county, settings
):
    auditor_client.get(_summary_url())
    render_jobs.work(once=True)
    old = auditor_client.get(_summary_url())
    assert old["X-Summary-Source"] == "made"

    block = NarrativeBlock.objects.get(year_id=2024, section="intro")
    block.text = "改过的一段。"
    block.save()
    page = director_client.get(reverse("reports:summary", kwargs={"year": 2024})).content.decode()
    made_at = timezone.localtime(RenderJob.objects.get(state="done").generated_at).strftime("%Y-%m-%d %H:%M")
    assert PENDING in page and f"现在下载得到的是 {made_at} 生成的上一版本" in page
    # The page asked for the new version already (made ahead of the download).
    assert RenderJob.objects.filter(state="queued").count() == 1
    stale = auditor_client.get(_summary_url())
    assert stale.status_code == 200 and stale.content == old.content
    assert stale["X-Summary-Source"] == "earlier" and stale["X-PDF-Newer-Pending"] == "1"
    assert stale["X-PDF-Generated-At"] == old["X-PDF-Generated-At"]
    assert RenderJob.objects.filter(state="queued").count() == 1

    assert render_jobs.work(once=True) == 1
    new = auditor_client.get(_summary_url())
    assert new["X-Summary-Source"] == "made" and new.content != old.content
    assert "改过的一段。" in _text(new.content) and "改过的一段。" not in _text(old.content)
    page = director_client.get(reverse("reports:summary", kwargs={"year": 2024})).content.decode()
    assert PENDING not in page and new["X-Content-SHA256"] in page


def test_worker_renders_the_data_current_when_it_runs(auditor_client, county, settings):
    """Data changed between the request and the render: the PDF made is of the newer data, and
    a request for that data is served it without another render."""
    auditor_client.get(_summary_url())
    block = NarrativeBlock.objects.get(year_id=2024, section="intro")
    block.text = "排队之后改的。"
    block.save()
    assert render_jobs.work(once=True) == 1
    job = RenderJob.objects.get()
    assert job.state == "done" and job.output_fingerprint != job.fingerprint
    response = auditor_client.get(_summary_url())
    assert response["X-Summary-Source"] == "made" and "排队之后改的。" in _text(response.content)
    assert RenderJob.objects.count() == 1


def test_school_sheet_is_made_by_the_worker_once_per_data(principal_a_client, county, school_a, settings):
    url = reverse("reports:school_sheet", kwargs={"year": 2024, "school_id": school_a.pk})
    first = principal_a_client.get(url)
    assert first.status_code == 202 and 'http-equiv="refresh"' in first.content.decode()
    assert reverse("reports:index") in first.content.decode()
    assert _rendered_files(settings) == []
    assert render_jobs.work(once=True) == 1
    made = principal_a_client.get(url)
    assert made.status_code == 200 and made["X-Summary-Source"] == "made"
    assert school_a.name in _text(made.content)
    again = principal_a_client.get(url)
    assert again.content == made.content and RenderJob.objects.count() == 1
    assert render_jobs.work(once=True) == 0


def test_failure_is_retried_then_recorded_and_shown(auditor_client, director_client, county, monkeypatch, settings):
    calls = []

    def broken(job):
        calls.append(job.pk)
        raise RuntimeError("字体文件缺失")

    monkeypatch.setattr(pdf, "render_for_job", broken)
    auditor_client.get(_summary_url())
    job = RenderJob.objects.get()
    for attempt in range(1, render_jobs.MAX_ATTEMPTS + 1):
        claimed = render_jobs.claim("w1")
        assert claimed is not None and claimed.pk == job.pk and claimed.attempts == attempt
        render_jobs.run(claimed)
        job.refresh_from_db()
        assert "字体文件缺失" in job.error
        if attempt < render_jobs.MAX_ATTEMPTS:
            # Tried again, after a delay.
            assert job.state == "queued" and job.available_at > timezone.now()
            assert render_jobs.claim("w1") is None
            RenderJob.objects.filter(pk=job.pk).update(available_at=timezone.now())
    assert job.state == "failed" and job.finished_at is not None and len(calls) == render_jobs.MAX_ATTEMPTS
    assert render_jobs.claim("w1") is None

    failed = auditor_client.get(_summary_url())
    body = failed.content.decode()
    assert failed.status_code == 200 and "PDF 生成失败" in body and 'http-equiv="refresh"' not in body
    assert "字体文件缺失" not in body  # the error itself is for bureau staff
    page = director_client.get(reverse("reports:summary", kwargs={"year": 2024})).content.decode()
    assert "最新版本生成失败" in page and "字体文件缺失" in page
    # Asked for again once the retry interval has passed: queued afresh.
    assert RenderJob.objects.get().state == "failed"
    RenderJob.objects.filter(pk=job.pk).update(
        finished_at=timezone.now() - timedelta(seconds=render_jobs.retry_failed_after() + 1)
    )
    auditor_client.get(_summary_url())
    job.refresh_from_db()
    assert job.state == "queued" and job.attempts == 0


def test_a_job_whose_worker_died_is_taken_again_after_the_timeout(principal_a_client, county, school_a, settings):
    url = reverse("reports:school_sheet", kwargs={"year": 2024, "school_id": school_a.pk})
    principal_a_client.get(url)
    dead = render_jobs.claim("dead-worker")  # claimed, then the process died (never runs it)
    assert dead.state == "running" and render_jobs.claim("w2") is None
    RenderJob.objects.filter(pk=dead.pk).update(started_at=timezone.now() - timedelta(seconds=render_jobs.timeout() + 1))
    again = render_jobs.claim("w2")
    assert again.pk == dead.pk and again.attempts == 2 and again.worker == "w2"
    # The "dead" worker was only slow: its late result is dropped, the job is the new worker's.
    render_jobs.run(dead)
    job = RenderJob.objects.get()
    assert job.state == "running" and job.worker == "w2" and job.pdf.name == ""
    assert _rendered_files(settings) == []
    render_jobs.run(again)
    job.refresh_from_db()
    assert job.state == "done" and job.worker == "w2" and len(_rendered_files(settings)) == 1
    assert principal_a_client.get(url)["X-Summary-Source"] == "made"


def test_silent_job_on_its_last_attempt_fails_and_the_page_says_the_worker_seems_down(
    auditor_client, director_client, county, settings
):
    auditor_client.get(_summary_url())
    job = RenderJob.objects.get()
    RenderJob.objects.filter(pk=job.pk).update(requested_at=timezone.now() - timedelta(minutes=5))
    page = director_client.get(reverse("reports:summary", kwargs={"year": 2024})).content.decode()
    assert "PDF 生成进程似乎没有运行" in page
    RenderJob.objects.filter(pk=job.pk).update(
        state="running",
        attempts=render_jobs.MAX_ATTEMPTS,
        started_at=timezone.now() - timedelta(seconds=render_jobs.timeout() + 1),
    )
    assert render_jobs.claim("w1") is None
    job.refresh_from_db()
    assert job.state == "failed" and "中途停止" in job.error


def test_locked_year_serves_its_archived_document_and_asks_for_no_job(auditor_client, county, settings):
    year = ReportingYear.objects.get(pk=2024)
    ReportingYear.objects.filter(pk=2024).update(status=ReportingYear.Status.LOCKED, locked_at=timezone.now())
    content = b"%PDF-1.7 archived copy"
    doc = ArchivedDocument(
        year=year,
        kind="summary",
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        locked_at=timezone.now(),
        generated_at=timezone.now(),
        data_version=1,
    )
    doc.pdf.save("archived.pdf", ContentFile(content), save=True)
    response = auditor_client.get(_summary_url())
    assert response.status_code == 200 and response.content == content and response["X-Summary-Source"] == "stored"
    page = auditor_client.get(reverse("reports:summary", kwargs={"year": 2024})).content.decode()
    assert PENDING not in page and doc.sha256 in page
    assert not RenderJob.objects.exists()


def test_a_job_of_a_year_locked_since_makes_nothing(auditor_client, county, settings):
    auditor_client.get(_summary_url())
    ReportingYear.objects.filter(pk=2024).update(status=ReportingYear.Status.LOCKED, locked_at=timezone.now())
    assert render_jobs.work(once=True) == 1
    job = RenderJob.objects.get()
    assert job.state == "done" and job.pdf.name == "" and _rendered_files(settings) == []


def test_only_the_newest_two_versions_are_kept(principal_a_client, county, school_a, settings):
    from labor_bases.models import LandParcel

    url = reverse("reports:school_sheet", kwargs={"year": 2024, "school_id": school_a.pk})
    parcel = LandParcel.objects.get(base__school=school_a)
    for area in (13, 14, 15):
        parcel.area_mu = area
        parcel.save()
        principal_a_client.get(url)
        assert render_jobs.work(once=True) == 1
        assert f"基地面积合计{area}亩" in _text(principal_a_client.get(url).content)
    assert RenderJob.objects.filter(state="done").count() == render_jobs.KEEP_VERSIONS
    assert len(_rendered_files(settings)) == render_jobs.KEEP_VERSIONS


def test_downloads_asked_for_while_the_data_kept_changing_get_one_render(
    principal_a_client, county, school_a, settings, monkeypatch
):
    """Under a stream of edits every download asks for the PDF of newer data; a render that began
    after a job was asked for read data at least as new, so the worker makes one PDF for all."""
    from labor_bases.models import LandParcel

    url = reverse("reports:school_sheet", kwargs={"year": 2024, "school_id": school_a.pk})
    parcel = LandParcel.objects.get(base__school=school_a)
    for area in (13, 14, 15):  # three downloads, each of other data, before the worker runs
        parcel.area_mu = area
        parcel.save()
        assert principal_a_client.get(url).status_code == 202
    assert RenderJob.objects.filter(state="queued").count() == 3
    renders = []
    real = pdf.render_for_job
    monkeypatch.setattr(pdf, "render_for_job", lambda job: renders.append(job.pk) or real(job))
    assert render_jobs.work(once=True) == 3
    assert len(renders) == 1 and len(_rendered_files(settings)) == 1
    assert set(RenderJob.objects.values_list("state", flat=True)) == {"done"}
    latest = principal_a_client.get(url)
    assert latest.status_code == 200 and "基地面积合计15亩" in _text(latest.content)
    # Data changed after that render began: the next download is made anew.
    parcel.area_mu = 16
    parcel.save()
    assert principal_a_client.get(url).status_code == 200  # the earlier PDF, while the new one is made
    assert render_jobs.work(once=True) == 1 and len(renders) == 2
    assert "基地面积合计16亩" in _text(principal_a_client.get(url).content)


def test_the_worker_lowers_its_cpu_priority(db, settings, monkeypatch):
    niced, policies = [], []
    monkeypatch.setattr("os.nice", lambda n: niced.append(n) or n)
    monkeypatch.setattr("os.sched_setscheduler", lambda pid, policy, param: policies.append((pid, policy)))
    settings.PORTAL_PDF_WORKER_NICE, settings.PORTAL_PDF_WORKER_IDLE = 7, True
    out = io.StringIO()
    call_command("pdf_worker", once=True, stdout=out)
    assert "nice 7, SCHED_IDLE" in out.getvalue()
    settings.PORTAL_PDF_WORKER_NICE, settings.PORTAL_PDF_WORKER_IDLE = 0, False
    call_command("pdf_worker", once=True, stdout=io.StringIO())
    assert niced == [7] and policies == [(0, os.SCHED_IDLE)]


def test_the_idle_policy_is_what_a_real_process_gets():
    """In a child process (the policy cannot always be undone): after ``lower`` the kernel
    reports SCHED_IDLE and the nice value is raised."""
    script = (
        "import os; from reports import priority; before = os.nice(0); print(priority.lower(3, True)); "
        "print(os.sched_getscheduler(0) == os.SCHED_IDLE, os.nice(0) - before)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2], check=True
    )
    assert out.stdout.split("\n")[:2] == ["['nice 3', 'SCHED_IDLE']", "True 3"]


def test_pdf_worker_command_runs_the_queue(auditor_client, county, settings):
    auditor_client.get(_summary_url())
    out = io.StringIO()
    call_command("pdf_worker", once=True, stdout=out)
    assert "1 jobs run" in out.getvalue()
    assert auditor_client.get(_summary_url())["X-Summary-Source"] == "made"


@pytest.mark.django_db(transaction=True)
def test_worker_keeps_going_through_a_database_outage(monkeypatch):
    from django.db import OperationalError

    claims = []
    real_claim = render_jobs.claim

    def flaky(worker, **kwargs):
        claims.append(worker)
        if len(claims) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_claim(worker, **kwargs)

    monkeypatch.setattr(render_jobs, "claim", flaky)
    assert render_jobs.work(poll=0, stop=lambda: len(claims) >= 3, worker="w1") == 0
    assert len(claims) == 3  # went on claiming after the error


class _Load:
    """A machine as busy as told (``reports.priority.OthersLoad``'s answer)."""

    def __init__(self, share):
        self.share = share

    def since_last(self):
        return self.share


def test_a_busy_machine_refreshes_made_pdfs_later_and_makes_first_ones_at_once(
    auditor_client, principal_a_client, county, school_a, settings
):
    """While the web workers and the database keep the cores busy, the worker makes only PDFs
    nobody has any version of (someone waits on the page that reloads itself); a newer version
    of one already made waits for a quiet moment, at most PORTAL_PDF_REFRESH_WAIT seconds, and
    the earlier one is served meanwhile."""
    settings.PORTAL_PDF_BUSY_ABOVE, settings.PORTAL_PDF_REFRESH_WAIT = 0.5, 120
    auditor_client.get(_summary_url())
    render_jobs.work(once=True)
    block = NarrativeBlock.objects.get(year_id=2024, section="intro")
    block.text = "忙时改的一段。"
    block.save()
    stale = auditor_client.get(_summary_url())
    assert stale["X-Summary-Source"] == "earlier" and stale["X-PDF-Newer-Pending"] == "1"
    refresh = RenderJob.objects.get(state="queued")
    sheet_url = reverse("reports:school_sheet", kwargs={"year": 2024, "school_id": school_a.pk})
    assert principal_a_client.get(sheet_url).status_code == 202  # never made: someone is waiting

    loops = []
    assert render_jobs.work(poll=0, stop=lambda: len(loops) > 3 or loops.append(1), load=_Load(0.8)) == 1
    assert principal_a_client.get(sheet_url).status_code == 200
    refresh.refresh_from_db()
    assert refresh.state == "queued"  # busy: waits
    assert render_jobs.claim("w1", busy=True) is None

    now = timezone.now()  # two minutes later, the earlier version made before then
    RenderJob.objects.exclude(pk=refresh.pk).update(started_at=now - timedelta(seconds=300))
    RenderJob.objects.filter(pk=refresh.pk).update(requested_at=now - timedelta(seconds=121))
    claimed = render_jobs.claim("w1", busy=True)  # waited long enough: made even on a busy machine
    assert claimed is not None and claimed.pk == refresh.pk
    render_jobs.run(claimed)
    assert "忙时改的一段。" in _text(auditor_client.get(_summary_url()).content)


def test_a_quiet_machine_or_a_run_to_the_end_makes_every_pdf_at_once(auditor_client, county, settings):
    auditor_client.get(_summary_url())
    render_jobs.work(once=True)
    block = NarrativeBlock.objects.get(year_id=2024, section="intro")
    block.text = "闲时改的一段。"
    block.save()
    auditor_client.get(_summary_url())
    assert render_jobs.work(once=True, load=_Load(1.0)) == 1  # --once (cron, tests): never waits
    block.text = "再改一次。"
    block.save()
    auditor_client.get(_summary_url())
    loops = []
    assert render_jobs.work(poll=0, stop=lambda: len(loops) > 2 or loops.append(1), load=_Load(0.3)) == 1
    assert "再改一次。" in _text(auditor_client.get(_summary_url()).content)


def test_the_machine_load_is_what_other_processes_used():
    from reports.priority import OthersLoad

    machine = iter([(1000, 2000), (1150, 2200), (1150, 2200), None, (1300, 2400)])
    own = iter([1.0, 1.5, 1.5, 1.5, 1.5])
    load = OthersLoad(lambda: next(machine), lambda: next(own), ticks_per_second=100)
    assert load.since_last() == 0.0  # nothing to compare with yet
    assert load.since_last() == 0.5  # 150 busy ticks of 200, 50 of them this process's
    assert load.since_last() == 0.0  # no time passed
    assert load.since_last() == 0.0  # counters unreadable
    assert load.since_last() == 0.0  # nothing to compare with again


@pytest.mark.skipif(not Path("/proc/stat").exists(), reason="Linux only")
def test_the_machine_load_sees_a_real_busy_process():
    from reports.priority import OthersLoad

    load = OthersLoad()
    load.since_last()
    subprocess.run([sys.executable, "-c", "import time\nend = time.time() + 0.6\nwhile time.time() < end: pass"], check=True)
    assert load.since_last() >= 0.3 / os.cpu_count()
