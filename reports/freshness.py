"""A cheap "has any data changed?" stamp, so an unchanged summary is served without recomputing.

Every save or delete of a row the summary may read (any model registered with
:mod:`workstudy.scoping`, plus schools, years and submissions) bumps a counter in the
cache, once at once and once after the transaction commits (so a summary computed from
uncommitted data is never filed under the committed state). Cached summaries and PDFs are
keyed by that counter; with a shared cache (Redis, ``REDIS_URL``) every app server sees
the same counter. Writes that bypass model signals (``QuerySet.update()``, raw SQL) do not
bump it: entries therefore also expire after :data:`TTL` seconds, and the PDF bytes
themselves stay keyed by the data fingerprint, which is always recomputed on a miss.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

KEY = "reports:data-generation"
TTL = 600

_watched: set | None = None


def _watched_models() -> set:
    global _watched
    if _watched is None:
        from workstudy import scoping
        from workstudy.models import ReportingYear, School, Submission

        _watched = set(scoping.registered_models()) | {School, ReportingYear, Submission}
    return _watched


def generation() -> int:
    value = cache.get(KEY)
    if value is None:
        cache.add(KEY, 1, None)
        value = cache.get(KEY) or 1
    return int(value)


def bump() -> None:
    try:
        cache.incr(KEY)
    except ValueError:
        cache.add(KEY, 2, None)


def on_change(sender, **kwargs) -> None:
    if sender in _watched_models():
        bump()
        transaction.on_commit(bump)


def connect() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(on_change, dispatch_uid=f"reports.freshness.{id(signal)}")
