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

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Exists, OuterRef

from workstudy import freshness
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


def _county_frozen(year: int, county: Region) -> dict:
    # The county's summary as every reader gets it (cached, built in the portal's language: the
    # level above reads the labels as they were sent).
    from reports import figures

    summary = figures.compute_cached(year, county)
    rows = [
        {"key": f.key, "label": str(f.label), "value": plain(f.value), "text": str(f.text or ""),
         "unit": str(f.unit or "")}
        for f in summary.figures.values()
    ]
    return {"figures": rows, "parts": [], "fingerprint": summary.fingerprint(), "data_version": summary.data_version}


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
    counties), ``fingerprint``, ``data_version``."""
    if region.level == Region.Level.CITY:  # a few rows: read afresh
        parts = _parts(year, region)
        return {"figures": [], "parts": parts, "fingerprint": _parts_fingerprint(parts), "data_version": None}
    return _county_frozen(year, region)


def below(year: int, regions: list[Region]) -> dict[int, tuple[int, int]]:
    """``{region id: (approved, total)}`` of what stands under each of ``regions`` (all of one
    level): a county's schools of the year (:func:`workstudy.participation.schools_of_year`) and
    their approved returns; a city's counties and their approved reports. Two queries at most."""
    from workstudy.participation import schools_of_year

    ids = [r.pk for r in regions]
    if not ids:
        return {}
    found: dict[int, tuple[int, int]] = {}
    if regions[0].level == Region.Level.COUNTY:
        approved = Submission.objects.filter(year_id=year, status=SubmissionStatus.APPROVED, school_id=OuterRef("pk"))
        for row in (schools_of_year(year).filter(county_id__in=ids).values("county_id")
                    .annotate(total=Count("pk"), approved=Count("pk", filter=Exists(approved)))):
            found[row["county_id"]] = (row["approved"], row["total"])
        return found
    for row in (Region.objects.filter(parent_id__in=ids, level=Region.Level.COUNTY).values("parent_id")
                .annotate(total=Count("pk"))):
        found[row["parent_id"]] = (0, row["total"])
    for row in (RegionSubmission.objects.filter(year_id=year, region__parent_id__in=ids,
                                                status=RegionSubmission.Status.APPROVED)
                .values("region__parent_id").annotate(n=Count("pk"))):
        found[row["region__parent_id"]] = (row["n"], found.get(row["region__parent_id"], (0, 0))[1])
    return found


def pending(year: int, region: Region) -> int:
    """What stands below ``region`` unapproved (:func:`below`): a county's schools of the year
    whose return is not approved (or does not exist); a city's counties whose report is not."""
    approved, total = below(year, [region]).get(region.pk, (0, 0))
    return total - approved


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


__all__ = ["below", "changes", "current", "freeze", "pending", "plain"]
