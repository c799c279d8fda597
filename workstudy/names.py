"""Names as a locked year knew them.

A school's or a base's name and address have no year: renaming a base in 2024 is one edit.
A locked year must not change, so its pages show each name as it stood when the year was
locked, read from the rows' change history (django-simple-history). The archived documents
already hold the names of the lock; this is for the live pages that list a locked year's rows.

:func:`as_locked` changes only the in-memory objects a page is about to show (never saved).
"""

from __future__ import annotations

from collections.abc import Iterable

# The model's label -> the fields that are shown as its name and address.
SHOWN = {"workstudy.school": ("name", "township"), "labor_bases.laborbase": ("name", "location")}


def _reachable(rows: Iterable, seen: dict) -> None:
    """Collect the schools and bases a page shows with ``rows``: the rows themselves and the
    related objects already loaded with them (select_related), without new queries."""
    stack = list(rows)
    visited: set[int] = set()
    while stack:
        obj = stack.pop()
        if obj is None or not hasattr(obj, "_state") or id(obj) in visited:
            continue
        visited.add(id(obj))
        label = obj._meta.label_lower
        if label in SHOWN:
            seen.setdefault(label, {}).setdefault(obj.pk, []).append(obj)
        stack.extend(related for related in obj._state.fields_cache.values() if related is not None)


def locked_year(year):
    """``year`` (a ReportingYear or its number) as a locked ReportingYear, or None."""
    from .models import ReportingYear

    if year is None:
        return None
    if not isinstance(year, ReportingYear):
        year = ReportingYear.objects.filter(pk=year).first()
    return year if year is not None and year.is_locked and year.locked_at is not None else None


def as_locked(rows: Iterable, year) -> None:
    """Show ``rows`` (and the schools and bases loaded with them) with the names and
    addresses they had when ``year`` (a ReportingYear or its number) was locked. Does
    nothing for an open year."""
    year = locked_year(year)
    if year is None:
        return
    locked_at = year.locked_at
    seen: dict = {}
    _reachable(rows, seen)
    from django.apps import apps

    for label, objects in seen.items():
        model = apps.get_model(label)
        fields = SHOWN[label]
        then: dict = {}
        history = model.history.model.objects.filter(id__in=list(objects), history_date__lte=locked_at)
        for record in history.order_by("id", "-history_date", "-history_id").values("id", *fields):
            then.setdefault(record["id"], record)
        for pk, instances in objects.items():
            record = then.get(pk)
            if record is None:
                continue  # no history before the lock (made later): keep what it is
            for instance in instances:
                for name in fields:
                    setattr(instance, name, record[name])
