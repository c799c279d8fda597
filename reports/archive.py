"""The documents a locked year issues, kept as issued.

Locking a year (:func:`issue`, called inside the lock's transaction) renders the summary and
every school's sheet once, dated with the lock date, and stores them
(:class:`~reports.models.ArchivedDocument`); every later download serves those bytes.
Reopening (:func:`supersede`) marks them superseded but keeps them and their hashes, so a copy
someone holds can still be verified; locking again issues a new set. :func:`find` answers the
public ``/verify/`` page.

A year locked before this existed has no documents; the first download issues them then
(:func:`summary_of`, :func:`sheet_of`), still dated with the lock date. So does a year with
more than :data:`SHEETS_AT_LOCK` schools for its sheets, from their data kept at the lock.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import time
from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from workstudy.models import ReportingYear, School
from workstudy.participation import schools_of_year

from .models import ArchivedDocument, FrozenSheet

logger = logging.getLogger(__name__)

Kind = ArchivedDocument.Kind


def lock_date(year_obj: ReportingYear) -> date:
    """The date a locked year's documents bear (落款, cover, 报出日期)."""
    return timezone.localtime(year_obj.locked_at).date() if year_obj.locked_at else timezone.localdate()


def _store(year_obj: ReportingYear, kind: str, content: bytes, *, school=None, fingerprint: str = "",
           data_version: int | None = None) -> ArchivedDocument:
    sha = hashlib.sha256(content).hexdigest()
    doc = ArchivedDocument(
        year=year_obj, kind=kind, school=school, sha256=sha, size=len(content), locked_at=year_obj.locked_at,
        generated_at=timezone.now(), data_version=year_obj.data_version if data_version is None else data_version,
        fingerprint=fingerprint,
    )
    who = f"-{school.code}" if school is not None else ""
    doc.pdf.save(f"{year_obj.year}-{kind}{who}-{sha[:16]}.pdf", ContentFile(content), save=False)
    doc.save()
    return doc


def _issue_summary(year_obj: ReportingYear, summary=None) -> ArchivedDocument:
    from . import pdf

    result = pdf.render_summary(year_obj.year, summary=summary, document_date=lock_date(year_obj))
    return _store(year_obj, Kind.SUMMARY, result.content, fingerprint=result.fingerprint,
                  data_version=result.data_version)


def _issue_sheet(year_obj: ReportingYear, school: School) -> ArchivedDocument:
    from . import pdf

    kept = FrozenSheet.objects.filter(year=year_obj, school=school).only("payload").first()
    context = pickle.loads(bytes(kept.payload)) if kept is not None else None  # noqa: S301 - written by issue()
    content = pdf.school_sheet_pdf(year_obj.year, school, document_date=lock_date(year_obj), context=context)
    return _store(year_obj, Kind.SHEET, content, school=school)


# Up to this many schools every sheet's PDF is rendered within the lock (the demo county has
# 27); a larger year keeps each sheet's data at the
# lock (a few queries per school) and renders its PDF from that data at its first download.
SHEETS_AT_LOCK = 60


def issue(year_obj: ReportingYear, summary=None) -> list[ArchivedDocument]:
    """Render and keep the summary of a year being locked (``summary``: the one just kept at the
    lock, else read back), and its schools' sheets (or their data)."""
    from . import sheets

    started = time.monotonic()
    docs = []
    schools = list(schools_of_year(year_obj.year).order_by("code"))
    try:
        docs.append(_issue_summary(year_obj, summary))
        if len(schools) <= SHEETS_AT_LOCK:
            for school in schools:
                docs.append(_issue_sheet(year_obj, school))
    except BaseException:
        # The lock rolls back and its rows with it; the files written so far go too.
        for doc in docs:
            doc.pdf.storage.delete(doc.pdf.name)
        raise
    if len(schools) > SHEETS_AT_LOCK:
        FrozenSheet.objects.bulk_create(
            [FrozenSheet(year=year_obj, school=school,
                         payload=pickle.dumps(sheets.school_sheet_context(year_obj.year, school)))
             for school in schools], batch_size=200)
    logger.info("issued %s documents of %s (%s schools) in %.1f s", len(docs), year_obj.year, len(schools),
                time.monotonic() - started)
    return docs


def supersede(year_obj: ReportingYear) -> int:
    """Mark a reopened year's documents superseded (kept, still verifiable); sheet data kept at
    the lock goes (the next lock keeps its own)."""
    FrozenSheet.objects.filter(year=year_obj).delete()
    return ArchivedDocument.objects.filter(year=year_obj, superseded_at__isnull=True).update(
        superseded_at=timezone.now())


def current(year_obj: ReportingYear, kind: str, school=None):
    docs = ArchivedDocument.objects.filter(year=year_obj, kind=kind, superseded_at__isnull=True)
    return docs.filter(school=school).order_by("-generated_at").first()


def _current_or_issue(year_obj: ReportingYear, kind: str, make, school=None) -> ArchivedDocument:
    doc = current(year_obj, kind, school)
    if doc is not None:
        return doc
    with transaction.atomic():  # a year locked before documents were issued at the lock
        ReportingYear.objects.select_for_update().get(pk=year_obj.pk)
        return current(year_obj, kind, school) or make()


def summary_of(year_obj: ReportingYear) -> ArchivedDocument:
    return _current_or_issue(year_obj, Kind.SUMMARY, lambda: _issue_summary(year_obj))


def sheet_of(year_obj: ReportingYear, school: School) -> ArchivedDocument:
    return _current_or_issue(year_obj, Kind.SHEET, lambda: _issue_sheet(year_obj, school), school=school)


def read(doc: ArchivedDocument) -> bytes:
    with doc.pdf.open("rb") as handle:
        return handle.read()


def find(sha256: str) -> ArchivedDocument | None:
    """The archived document with this SHA-256 (lower-case hex), the newest if several."""
    return (ArchivedDocument.objects.filter(sha256=sha256.lower()).select_related("year", "school")
            .order_by("-generated_at").first())
