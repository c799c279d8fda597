"""A cheap "has any data changed?" stamp, so an unchanged summary is served without recomputing.

The stamp is read from the database, so every app server (and every gunicorn worker,
whatever the cache backend) agrees on it: it is the highest id of every change-history
table (django-simple-history writes a history row for each save and delete of domain
data, schools, years and submissions, imports included). One UNION ALL query over the
primary keys; no shared counter that concurrent writers would have to lock. Cached
summaries and PDFs are keyed by it; the PDF bytes themselves are also keyed by the data
fingerprint, which is recomputed on every miss.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.db import connection

TTL = 600

_sql: str | None = None


def _history_models() -> list:
    from workstudy import scoping
    from workstudy.models import ReportingYear, School, Submission

    watched = set(scoping.registered_models()) | {School, ReportingYear, Submission}
    return sorted(
        (model.history.model for model in watched if hasattr(model, "history")),
        key=lambda m: m._meta.db_table,
    )


def _query() -> str:
    global _sql
    if _sql is None:
        quote = connection.ops.quote_name
        parts = [
            f"SELECT '{model._meta.label_lower}', MAX({quote(model._meta.pk.column)}) FROM {quote(model._meta.db_table)}"
            for model in _history_models()
        ]
        _sql = " UNION ALL ".join(parts)
    return _sql


# Schools, years and returns: every app's figures and checks read them.
CORE_APP = "workstudy"


def stamps() -> dict[str, int]:
    """The newest change-history id of every watched table, by history model (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(_query())
        return {label: value or 0 for label, value in cursor.fetchall()}


def generation(apps=None, *, now: dict[str, int] | None = None) -> str:
    """A short stamp that changes whenever any watched row is saved or deleted — or, given
    ``apps`` (app labels), only rows of those apps and of the core (schools, years, returns).

    ``now``: :func:`stamps` already read, to derive several stamps from one query."""
    values = stamps() if now is None else now
    if apps is not None:
        wanted = {*apps, CORE_APP}
        values = {label: value for label, value in values.items() if label.partition(".")[0] in wanted}
    text = ",".join(f"{label}={value}" for label, value in sorted(values.items()))
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def in_transaction() -> bool:
    return connection.in_atomic_block


def cached(key: str, compute, *, apps=None):
    """``compute()``, kept in the cache until any data changes (the stamp above, one query) or
    for :data:`TTL` seconds. Whole-province figures take tenths of a second and change only when
    data does. ``apps``: the figures read only these apps' data and the core's, so a change
    elsewhere keeps them (at province size some row changes every few seconds somewhere).
    Inside a transaction (a test, an import) always computed afresh: the stamp cannot see
    uncommitted rows' history as "committed", and a rolled-back value must not be cached."""
    if in_transaction():
        return compute()
    full_key = f"{key}:{generation(apps)}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, TTL)
    return value


def connect() -> None:
    """Kept for the app config; the stamp needs no signal handlers."""
