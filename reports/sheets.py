"""The one-page sheet of one school for one year (its land, production, income, insurance, claims)."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.utils import timezone

from workstudy import locks
from workstudy.models import ReportingYear, Submission

from . import sources
from .sources import MISSING


def school_sheet_context(year: int, school, *, document_date=None) -> dict:
    """The sheet's data. ``document_date`` is its 报出日期 (a locked year's lock date); without
    it the sheet is an open year's draft dated today and says 征求意见稿 on every page."""
    bases = sources.call("labor_bases", "school_sheet", year, school.pk)
    insurance = sources.call("insurance", "school_sheet", year, school.pk)
    logistics = sources.call("logistics", "school_sheet", year, school.pk)
    submission = Submission.objects.filter(school=school, year_id=year).first()
    missing = [name for name, value in (("劳动实践基地", bases), ("保险与理赔", insurance), ("后勤", logistics))
               if value is MISSING]
    return {
        "school": school,
        "year": year,
        "submission": submission,
        "bases": None if bases is MISSING else bases,
        "insurance": None if insurance is MISSING else insurance,
        "logistics": None if logistics is MISSING else logistics,
        "missing_modules": missing,
        "has_logistics": logistics is not MISSING and bool(logistics.get("services") or logistics.get("exam_sites")),
        "bureau": settings.PORTAL_BUREAU_NAME,
        "county": settings.PORTAL_COUNTY_NAME,
        "generated_at": timezone.localtime(),
        "document_date": document_date or timezone.localdate(),
        "draft": not locks.is_locked(ReportingYear.objects.get(pk=year), school.county_id),
        "pdf": True,
    }


def fingerprint(context: dict) -> str:
    """SHA-256 of everything a sheet prints but the time it was made: the same data on the same
    day gives the same fingerprint (its PDF is made once, :mod:`reports.render_jobs`)."""
    school, submission = context["school"], context["submission"]
    payload = {
        "school": [school.pk, school.code, school.name, getattr(school, "township", "")],
        "submission": submission.status if submission else None,
        **{key: context[key] for key in ("year", "bases", "insurance", "logistics", "missing_modules", "has_logistics",
                                         "bureau", "county", "document_date", "draft")},
    }
    text = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()
