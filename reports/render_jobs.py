"""Open-year PDFs are made outside the web workers: a request asks for one (:func:`request`, a
row in :class:`~reports.models.RenderJob`, one per document and data fingerprint) and
``manage.py pdf_worker`` makes it (:func:`claim`, :func:`run`). Until the PDF of the current
data exists, a download serves the newest one made earlier (the summary page says a newer one
is being made), or a page that refreshes itself if none was ever made.

The queue is the database, so it needs nothing the portal does not already run and behaves
the same on SQLite and PostgreSQL: a worker claims a job with ``SELECT … FOR UPDATE SKIP
LOCKED`` where the database has it (PostgreSQL), else with a conditional UPDATE on the job's
attempt count (SQLite; one writer at a time anyway). A job whose worker died is claimed again
after :func:`timeout` seconds; a job that fails is tried :data:`MAX_ATTEMPTS` times, then kept
as failed with its error, and asked for again at most every :func:`retry_failed_after` seconds.

``settings.PORTAL_PDF_INLINE`` (tests; development with DEBUG on) renders in the request instead.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext

from .models import RenderJob

logger = logging.getLogger(__name__)

Kind, State = RenderJob.Kind, RenderJob.State

MAX_ATTEMPTS = 3
RETRY_DELAY_SECONDS = 10  # times the attempt number
KEEP_VERSIONS = 2  # PDFs kept per document: the newest and the one before (served while a newer is made)


def inline() -> bool:
    """Render in the request (tests, a development server without a worker)."""
    return bool(getattr(settings, "PORTAL_PDF_INLINE", False))


def timeout() -> int:
    """Seconds after which a running job whose worker went silent may be claimed again."""
    return int(getattr(settings, "PORTAL_PDF_JOB_TIMEOUT", 300))


def busy_above() -> float:
    """The share of the machine's CPU time (0-1) other processes must use for it to count as
    busy: then the worker makes only PDFs nobody has any version of yet (someone is waiting on
    the page that reloads itself) and refreshes kept waiting :func:`refresh_wait` seconds.
    1 or more: never busy."""
    return float(getattr(settings, "PORTAL_PDF_BUSY_ABOVE", 0.5))


def refresh_wait() -> int:
    """Seconds a newer version of a PDF already made may wait for a quiet moment (meanwhile
    the earlier version is served and the summary page says a newer one is being made)."""
    return int(getattr(settings, "PORTAL_PDF_REFRESH_WAIT", 120))


def retry_failed_after() -> int:
    return int(getattr(settings, "PORTAL_PDF_RETRY_FAILED_AFTER", 600))


def key_of(kind: str, year: int, school=None, county=None) -> str:
    """A document's key: the year's summary, one county's summary (``county``) or a school's sheet."""
    if county is not None:
        return f"{kind}:{year}:county:{getattr(county, 'pk', county)}"
    return f"{kind}:{year}" if school is None else f"{kind}:{year}:{school.pk}"


def county_of_key(key: str) -> int | None:
    """The county id of a county summary's key (:func:`key_of`), else None."""
    parts = key.split(":")
    return int(parts[3]) if len(parts) == 4 and parts[2] == "county" else None


def worker_name() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}"


# -- the web side ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    """A PDF made by the worker."""

    job: RenderJob

    @property
    def generated_at(self) -> datetime:
        return self.job.generated_at

    @property
    def sha256(self) -> str:
        return self.job.sha256

    @property
    def fingerprint(self) -> str:
        return self.job.output_fingerprint

    @property
    def data_version(self) -> int:
        return self.job.data_version or 0

    def read(self) -> bytes:
        with self.job.pdf.open("rb") as handle:
            return handle.read()


@dataclass(frozen=True)
class Status:
    """Where the PDF of one document's current data stands."""

    current: Version | None  # made from the current data
    earlier: Version | None  # the newest made before (when ``current`` is None)
    job: RenderJob | None  # the job making the current one (queued, running or failed)

    @property
    def served(self) -> Version | None:
        return self.current or self.earlier

    @property
    def failed(self) -> bool:
        return self.current is None and self.job is not None and self.job.state == State.FAILED

    @property
    def waiting_since(self) -> datetime | None:
        return self.job.requested_at if self.job is not None and self.job.state == State.QUEUED else None


def _made(key: str):
    return RenderJob.objects.filter(key=key, state=State.DONE).exclude(pdf="").order_by("-generated_at", "-pk")


def status(kind: str, year: int, fingerprint: str, *, school=None, county=None, ask: bool = True) -> Status:
    """The PDF of this data if made; else the newest earlier one and the job (asked for now
    unless ``ask`` is false)."""
    key = key_of(kind, year, school, county)
    current = _made(key).filter(output_fingerprint=fingerprint).first()
    if current is not None:
        return Status(Version(current), None, None)
    job = (
        request(kind, year, fingerprint, school=school, county=county)
        if ask
        else (RenderJob.objects.filter(key=key, fingerprint=fingerprint).first())
    )
    earlier = _made(key).first()
    return Status(None, Version(earlier) if earlier else None, job)


def request(kind: str, year: int, fingerprint: str, *, school=None, county=None) -> RenderJob:
    """Ask for the PDF of this data (once: a job asked for again is the same row)."""
    key = key_of(kind, year, school, county)
    now = timezone.now()
    job = RenderJob.objects.filter(key=key, fingerprint=fingerprint).first()
    if job is None:
        try:
            with transaction.atomic():
                return RenderJob.objects.create(
                    kind=kind, year_id=year, school=school, key=key, fingerprint=fingerprint, requested_at=now, available_at=now
                )
        except IntegrityError:  # asked for at the same moment by another request
            return RenderJob.objects.get(key=key, fingerprint=fingerprint)
    again = None
    if job.state == State.FAILED and job.finished_at and job.finished_at < now - timedelta(seconds=retry_failed_after()):
        again = Q(state=State.FAILED)
    elif job.state == State.DONE and job.output_fingerprint != fingerprint:
        # Made from newer data than this (since changed back): make this one again.
        again = Q(state=State.DONE)
    if again is not None:
        RenderJob.objects.filter(again, pk=job.pk).update(
            state=State.QUEUED, attempts=0, requested_at=now, available_at=now, started_at=None, finished_at=None
        )
        job.refresh_from_db()
    return job


# -- the worker side ------------------------------------------------------------------------


def _ready(now: datetime) -> Q:
    return Q(state=State.QUEUED, available_at__lte=now) | Q(
        state=State.RUNNING, started_at__lt=now - timedelta(seconds=timeout())
    )


def _give_up_on_silent(now: datetime) -> None:
    """Running jobs whose worker went silent on their last attempt: failed."""
    RenderJob.objects.filter(
        state=State.RUNNING, started_at__lt=now - timedelta(seconds=timeout()), attempts__gte=MAX_ATTEMPTS
    ).update(
        state=State.FAILED, finished_at=now, error=gettext("生成进程在生成中途停止（已尝试 %(n)d 次）。") % {"n": MAX_ATTEMPTS}
    )


def claim(worker: str | None = None, *, busy: bool = False) -> RenderJob | None:
    """Take the oldest job ready to run (or one whose worker went silent), or None. ``busy``
    (the machine's cores busy with pages): only a document nobody has any version of yet, or
    a newer version asked for at least :func:`refresh_wait` seconds ago."""
    worker = worker or worker_name()
    now = timezone.now()
    _give_up_on_silent(now)
    ready = RenderJob.objects.filter(_ready(now))
    if busy:
        made_before = Exists(RenderJob.objects.filter(key=OuterRef("key"), state=State.DONE).exclude(pdf=""))
        ready = ready.filter(~made_before | Q(requested_at__lte=now - timedelta(seconds=refresh_wait())))
    ready = ready.order_by("available_at", "pk")
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            job = ready.select_for_update(skip_locked=True).first()
            if job is None:
                return None
            RenderJob.objects.filter(pk=job.pk).update(
                state=State.RUNNING, started_at=now, attempts=F("attempts") + 1, worker=worker
            )
    else:
        for pk, attempts in ready.values_list("pk", "attempts")[:10]:
            # Taken only if nobody took it since it was read (the attempt count moves on every claim).
            if RenderJob.objects.filter(_ready(now), pk=pk, attempts=attempts).update(
                state=State.RUNNING, started_at=now, attempts=attempts + 1, worker=worker
            ):
                break
        else:
            return None
        job = RenderJob(pk=pk)
    job.refresh_from_db()
    return job


def _mine(job: RenderJob):
    return RenderJob.objects.filter(pk=job.pk, state=State.RUNNING, attempts=job.attempts, worker=job.worker)


def run(job: RenderJob) -> RenderJob:
    """Make the job's PDF from the data as it is now and keep it; a failure is recorded and the
    job tried again later (up to :data:`MAX_ATTEMPTS`)."""
    from . import pdf

    covered = _covered_by(job)
    if covered is not None:
        # A render of this document began after this job was asked for: it read data at least as
        # new as this job's, so this one is done without rendering the same PDF again.
        _mine(job).update(state=State.DONE, finished_at=timezone.now(), error="",
                          output_fingerprint=covered.output_fingerprint)
        job.refresh_from_db()
        return job
    try:
        made = pdf.render_for_job(job)
    except Exception as exc:  # any failure of a render is the job's, not the worker's
        logger.exception("PDF job %s failed (attempt %s)", job, job.attempts)
        error = f"{type(exc).__name__}: {exc}"[:2000]
        now = timezone.now()
        if job.attempts >= MAX_ATTEMPTS:
            _mine(job).update(state=State.FAILED, finished_at=now, error=error)
        else:
            _mine(job).update(
                state=State.QUEUED, error=error, available_at=now + timedelta(seconds=RETRY_DELAY_SECONDS * job.attempts)
            )
        job.refresh_from_db()
        return job
    now = timezone.now()
    if made is None:  # nothing to make (a year locked since: its archived document is served)
        _mine(job).update(state=State.DONE, finished_at=now, error="")
        job.refresh_from_db()
        return job
    already = _made(job.key).filter(output_fingerprint=made.fingerprint).exclude(pk=job.pk).exists()
    name = ""
    if not already:
        sha = hashlib.sha256(made.content).hexdigest()
        name = job.pdf.storage.save(f"reports/rendered/{job.key.replace(':', '-')}-{sha[:16]}.pdf", ContentFile(made.content))
    updated = _mine(job).update(
        state=State.DONE,
        finished_at=now,
        error="",
        pdf=name,
        sha256=hashlib.sha256(made.content).hexdigest(),
        output_fingerprint=made.fingerprint,
        data_version=made.data_version,
        generated_at=made.generated_at,
    )
    if not updated and name:
        # Claimed again by another worker after this one was thought dead: theirs counts.
        job.pdf.storage.delete(name)
    _prune(job.key)
    job.refresh_from_db()
    return job


def _covered_by(job: RenderJob) -> RenderJob | None:
    """The PDF of ``job``'s document made by a render that started after ``job`` was asked for
    (renders read the data as it is when they run), or None. Under a stream of edits every
    download asks for the PDF of newer data; the worker makes one for all of those waiting."""
    return (_made(job.key).exclude(pk=job.pk).filter(started_at__gte=job.requested_at).first())


def _prune(key: str) -> None:
    """Keep the newest :data:`KEEP_VERSIONS` PDFs of a document; older files and rows go."""
    for old in _made(key)[KEEP_VERSIONS:]:
        old.pdf.storage.delete(old.pdf.name)
        old.delete()


def work(*, once: bool = False, poll: float = 1.0, stop=None, worker: str | None = None, load=None) -> int:
    """Run jobs until stopped (``stop()`` true) or, with ``once``, until none is ready. Returns the
    number of jobs run. Between jobs the worker reads how busy the machine is (``load``:
    :class:`reports.priority.OthersLoad`); while other processes use more than :func:`busy_above`
    of it, refreshes of PDFs already made wait (:func:`claim`). ``once`` makes every job."""
    import time

    from django.db import close_old_connections

    from .priority import OthersLoad

    done = 0
    worker = worker or worker_name()
    load = load or OthersLoad()
    while not (stop and stop()):
        if not connection.in_atomic_block:  # (a test's transaction: keep its connection)
            close_old_connections()
        busy = not once and load.since_last() > busy_above()
        try:
            job = claim(worker, busy=busy)
            if job is None:
                if once:
                    break
                time.sleep(poll)
                continue
            started = time.monotonic()
            job = run(job)
        except DatabaseError:
            # The database went away (restart, failover): keep going once it is back. A job this
            # worker held is taken again after the timeout.
            logger.exception("PDF worker %s: database error; retrying in %s s", worker, poll)
            if not connection.in_atomic_block:
                connection.close()
            if once:
                raise
            time.sleep(poll)
            continue
        logger.info("PDF job %s: %s in %.2f s (attempt %s)", job.key, job.state, time.monotonic() - started, job.attempts)
        done += 1
    return done
