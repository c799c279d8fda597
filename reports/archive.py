"""The documents a locked year issues, kept as issued.

A county locking its year (:func:`issue`, called inside the lock's transaction) renders the
county's summary and each of its schools' sheets once, dated with the county's lock date, and
stores them (:class:`~reports.models.ArchivedDocument`, the summary with its county); every later
download serves those bytes. Reopening (:func:`supersede`) marks the county's documents (and the
deployment's summary, which counts the county) superseded but keeps them and their hashes, so a
copy someone holds can still be verified; locking again issues a new set. :func:`find` answers
the public ``/verify/`` page.

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
from django.db.models import Q
from django.utils import timezone

from workstudy.models import ReportingYear, School
from workstudy.participation import schools_of_year

from .models import ArchivedDocument, FrozenSheet

logger = logging.getLogger(__name__)

Kind = ArchivedDocument.Kind


def lock_date(year_obj: ReportingYear) -> date:
    """The date a locked year's documents bear (落款, cover, 报出日期)."""
    return timezone.localtime(year_obj.locked_at).date() if year_obj.locked_at else timezone.localdate()


def _store(year_obj: ReportingYear, kind: str, content: bytes, *, school=None, county=None, fingerprint: str = "",
           data_version: int | None = None) -> ArchivedDocument:
    sha = hashlib.sha256(content).hexdigest()
    doc = ArchivedDocument(
        year=year_obj, kind=kind, school=school, county=county, sha256=sha, size=len(content),
        locked_at=year_obj.locked_at,
        generated_at=timezone.now(), data_version=year_obj.data_version if data_version is None else data_version,
        fingerprint=fingerprint,
    )
    who = f"-{school.code}" if school is not None else ""
    doc.pdf.save(f"{year_obj.year}-{kind}{who}-{sha[:16]}.pdf", ContentFile(content), save=False)
    doc.save()
    return doc


def _issue_summary(year_obj: ReportingYear, summary=None, county=None) -> ArchivedDocument:
    from . import pdf

    result = pdf.render_summary(year_obj.year, summary=summary, document_date=lock_date(year_obj), county=county)
    return _store(year_obj, Kind.SUMMARY, result.content, county=county, fingerprint=result.fingerprint,
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


def issue(year_obj: ReportingYear, summary=None, county=None) -> list[ArchivedDocument]:
    """Render and keep the summary of a year being locked by ``county`` (by every county when
    None: the deployment's summary) (``summary``: the one just kept at the lock, else read
    back), and its schools' sheets (or their data)."""
    from . import sheets

    started = time.monotonic()
    docs = []
    schools = schools_of_year(year_obj.year)
    if county is not None:
        schools = schools.filter(county=county)
    schools = list(schools.order_by("code"))
    try:
        docs.append(_issue_summary(year_obj, summary, county))
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


def supersede(year_obj: ReportingYear, county=None) -> int:
    """Mark the documents of a year reopened by ``county`` (every county when None) superseded
    (kept, still verifiable): its summary, its schools' sheets and the deployment's summary; sheet
    data kept at the lock goes (the next lock keeps its own)."""
    sheets, docs = FrozenSheet.objects.filter(year=year_obj), ArchivedDocument.objects.filter(year=year_obj)
    if county is not None:
        sheets = sheets.filter(school__county=county)
        docs = docs.filter(Q(school__county=county) | Q(county=county) | Q(kind=Kind.SUMMARY, county__isnull=True))
    sheets.delete()
    return docs.filter(superseded_at__isnull=True).update(superseded_at=timezone.now())


def sole_county():
    """The county holding every school of the deployment (its summary is the deployment's), or None."""
    from .figures import counties_of_deployment

    counties = counties_of_deployment()
    return counties[0] if len(counties) == 1 else None


def current(year_obj: ReportingYear, kind: str, school=None, county=None):
    """The issued document of ``kind``: a school's sheet, or the summary of ``county`` (the
    deployment's when None). A deployment of one county: its summary is the deployment's, issued
    with or without the county's name."""
    docs = ArchivedDocument.objects.filter(year=year_obj, kind=kind, superseded_at__isnull=True).order_by(
        "-generated_at")
    if kind == Kind.SHEET:
        return docs.filter(school=school).first()
    sole = sole_county()
    county_id = getattr(county, "pk", county)
    if sole is not None and county_id in (None, sole.pk):
        return docs.filter(Q(county=sole) | Q(county__isnull=True)).first()
    return docs.filter(county_id=county_id).first()


def _current_or_issue(year_obj: ReportingYear, kind: str, make, school=None, county=None) -> ArchivedDocument:
    doc = current(year_obj, kind, school, county)
    if doc is not None:
        return doc
    with transaction.atomic():  # a year locked before documents were issued at the lock
        ReportingYear.objects.select_for_update().get(pk=year_obj.pk)
        return current(year_obj, kind, school, county) or make()


def summary_of(year_obj: ReportingYear, county=None) -> ArchivedDocument:
    """The summary issued at the lock of ``year_obj`` (as ``county`` sees it; the deployment's when
    None), issued now, dated the lock, if the lock could not."""
    return _current_or_issue(year_obj, Kind.SUMMARY, lambda: _issue_summary(year_obj, county=county),
                             county=county)


def sheet_of(year_obj: ReportingYear, school: School) -> ArchivedDocument:
    return _current_or_issue(year_obj, Kind.SHEET, lambda: _issue_sheet(year_obj, school), school=school)


def read(doc: ArchivedDocument) -> bytes:
    with doc.pdf.open("rb") as handle:
        return handle.read()


def find(sha256: str) -> ArchivedDocument | None:
    """The archived document with this SHA-256 (lower-case hex), the newest if several."""
    return (ArchivedDocument.objects.filter(sha256=sha256.lower()).select_related("year", "school")
            .order_by("-generated_at").first())
