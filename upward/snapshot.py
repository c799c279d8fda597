"""What a report sends up, and whether the data has moved since.

A county sends its annual summary (:func:`reports.figures.compute` for the county): every
figure's key, label, value and printed text, the summary's fingerprint
(:meth:`reports.figures.Summary.fingerprint`), the year's data version and the data stamp
(:func:`workstudy.freshness.generation`). A city sends the state of each of its counties'
reports (status, version, fingerprint); its fingerprint is the SHA-256 of those parts, so a
county's report that moves after the city sent its own changes the city's too.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation

from workstudy import freshness, scoping
from workstudy.models import Region, Submission, SubmissionStatus

from .models import RegionSubmission


class _Encoder(DjangoJSONEncoder):
    def default(self, o):
        if dataclasses.is_dataclass(o) and not isinstance(o, type):
            return dataclasses.asdict(o)
        if isinstance(o, (set, frozenset)):
            return sorted(o, key=str)
        try:
            return super().default(o)
        except TypeError:
            return str(o)


def plain(value):
    """``value`` as JSON keeps it (Decimal and dates as text)."""
    return json.loads(json.dumps(value, cls=_Encoder, ensure_ascii=False))


def county_summary(year: int, county: Region):
    """The annual summary of ``county`` for ``year`` (:func:`reports.figures.compute`, computed
    afresh: a locked year's summary kept at the lock is the same computation)."""
    from reports import figures

    return figures.compute(year, county=county)


def _county_frozen(year: int, county: Region) -> dict:
    # In the portal's language: the level above reads the labels as they were sent.
    with translation.override(settings.LANGUAGE_CODE):
        summary = county_summary(year, county)
        rows = [
            {"key": f.key, "label": str(f.label), "value": plain(f.value), "text": str(f.text or ""),
             "unit": str(f.unit or "")}
            for f in summary.figures.values()
        ]
        return {"figures": rows, "parts": [], "fingerprint": summary.fingerprint(),
                "data_version": summary.data_version}


def _parts(year: int, city: Region) -> list[dict]:
    counties = Region.objects.filter(parent=city, level=Region.Level.COUNTY).order_by("path")
    sent = {s.region_id: s for s in RegionSubmission.objects.filter(year_id=year, region__parent=city)}
    parts = []
    for county in counties:
        report = sent.get(county.pk)
        parts.append({
            "region_id": county.pk, "name": county.name,
            "status": report.status if report else RegionSubmission.Status.DRAFT,
            "version": report.version if report else 0,
            "fingerprint": report.fingerprint if report else "",
        })
    return parts


def _parts_fingerprint(parts: list[dict]) -> str:
    keyed = [[p["region_id"], p["status"], p["version"], p["fingerprint"]] for p in parts]
    return hashlib.sha256(json.dumps(keyed).encode()).hexdigest()


def current(year: int, region: Region) -> dict:
    """What ``region`` would send for ``year`` now: ``figures`` (a county's), ``parts`` (a city's
    counties), ``fingerprint``, ``data_version``. Kept until any data changes."""
    if region.level == Region.Level.CITY:  # a few rows: read afresh
        parts = _parts(year, region)
        return {"figures": [], "parts": parts, "fingerprint": _parts_fingerprint(parts), "data_version": None}
    return freshness.cached(f"upward:county:{int(year)}:{region.pk}", lambda: _county_frozen(year, region))


def pending(year: int, region: Region) -> int:
    """What stands below ``region`` unapproved: a county's active schools whose return for
    ``year`` is not approved (or does not exist); a city's counties whose report is not approved."""
    if region.level == Region.Level.COUNTY:
        schools = scoping.schools_in(region).filter(active=True)
        approved = Submission.objects.filter(
            year_id=year, status=SubmissionStatus.APPROVED, school__in=schools).values("school_id")
        return schools.exclude(pk__in=approved).count()
    counties = Region.objects.filter(parent=region, level=Region.Level.COUNTY)
    approved = RegionSubmission.objects.filter(
        year_id=year, region__in=counties, status=RegionSubmission.Status.APPROVED).count()
    return counties.count() - approved


def freeze(year: int, region: Region) -> dict:
    """What ``region``'s report keeps at its submission (computed now, inside the caller's
    transaction: the stamp follows that transaction's own writes)."""
    found = current(year, region)
    return {**found, "data_stamp": freshness.generation(), "pending_count": pending(year, region)}


def changes(report: RegionSubmission) -> dict | None:
    """How the data differs from what ``report`` sent: None when its fingerprint is unchanged,
    else ``{"figures": [(label, sent, now), ...], "parts": [...]}`` (the figures and counties whose
    values differ; both empty when only the wording or the data version moved)."""
    if not report.frozen:
        return None
    now = current(report.year_id, report.region)
    if now["fingerprint"] == report.fingerprint:
        return None
    sent = {f["key"]: f for f in report.figures}
    figures = []
    for f in now["figures"]:
        before = sent.pop(f["key"], None)
        if before is None or (before["value"], before["text"]) != (f["value"], f["text"]):
            figures.append((f["label"], _shown(before), _shown(f)))
    figures += [(f["label"], _shown(f), "") for f in sent.values()]
    was = {p["region_id"]: p for p in report.parts}
    parts = [
        (p["name"], was.get(p["region_id"]), p) for p in now["parts"]
        if [was.get(p["region_id"], {}).get(k) for k in ("status", "version", "fingerprint")]
        != [p["status"], p["version"], p["fingerprint"]]
    ]
    return {"figures": figures, "parts": parts}


def _shown(figure: dict | None) -> str:
    if figure is None:
        return ""
    if figure.get("text"):
        return figure["text"]
    value = figure.get("value")
    return "" if value is None else f"{value}{figure.get('unit') or ''}"


__all__ = ["changes", "county_summary", "current", "freeze", "pending", "plain"]
