"""The only door from ``reports`` to the data apps: their ``selectors`` modules.

``call(app, name, ...)`` returns the selector's result, or :data:`MISSING` when the app
(or that function) is not installed, so a summary built while an app is absent lists the
gap instead of crashing. Errors raised *inside* a selector are not swallowed.
"""

from __future__ import annotations

import importlib
import logging
from types import ModuleType

from django.urls import NoReverseMatch

from workstudy.lazystr import LazyStr

logger = logging.getLogger(__name__)

APPS = ("enterprises", "labor_bases", "logistics", "insurance", "labor_education")


class _Missing:
    def __bool__(self):
        return False

    def __repr__(self):
        return "MISSING"

    def __reduce__(self):
        return "MISSING"  # unpickled (from a cache) as the one MISSING, so ``is MISSING`` holds


MISSING = _Missing()


def selectors(app: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"{app}.selectors")
    except ModuleNotFoundError as exc:
        if exc.name in (app, f"{app}.selectors"):
            return None
        raise


def call(app: str, name: str, *args, **kwargs):
    module = selectors(app)
    func = getattr(module, name, None) if module is not None else None
    if func is None:
        return MISSING
    return func(*args, **kwargs)


def kept(app: str, label: str, args: tuple, kwargs: dict, compute, *, now: dict | None = None, also=()):
    """``compute()``, a selector's result (``label`` and its arguments), kept in the shared cache
    until ``app``'s data or the core's changes (:func:`workstudy.freshness.cached`): after a
    principal saves a production line only the labor-base parts of the summary are read again,
    not every app's. ``now``: the data stamps, read once before any of the data. ``also``: other
    stamps whose data it reads (the returns', :func:`workstudy.freshness.also_reads`)."""
    from workstudy import freshness

    return freshness.cached(_key(label, args, kwargs), compute, apps=[app, *also], now=now, what=label)


def _key(label: str, args: tuple, kwargs: dict) -> str:
    import hashlib

    from django.utils.translation import get_language

    text = repr((label, args, sorted(kwargs.items()), get_language()))
    return "reports:part:" + hashlib.sha1(text.encode()).hexdigest()  # noqa: S324 - a cache key


def call_kept(app: str, name: str, *args, now: dict | None = None, **kwargs):
    """:func:`call`, kept by :func:`kept` (MISSING, never kept, when the app has no such selector);
    a selector that says what it reads (``freshness.kept_while_same``) is kept while that is
    unchanged instead, so a save at another school leaves it kept."""
    from workstudy import freshness

    func = getattr(selectors(app), name, None)
    if func is None:
        return MISSING
    also = getattr(func, "also_reads", ())
    state_of = getattr(func, "kept_while_same", None)
    state = None if state_of is None or freshness.in_transaction() else state_of(*args, **kwargs)
    if state is not None:  # read before the data it guards
        return freshness.kept_while(_key(f"{app}.{name}", args, kwargs), state,
                                    lambda: call(app, name, *args, **kwargs), reads=[app, *also], now=now,
                                    what=f"{app}.{name}")
    return kept(app, f"{app}.{name}", args, kwargs, lambda: call(app, name, *args, **kwargs), now=now, also=also)


def _resolve_rows_url(app: str, kind: str, year: int, filters: dict) -> str:
    module = selectors(app)
    func = getattr(module, "rows_url", None) if module is not None else None
    if func is None:
        return ""
    try:
        return func(kind, year, **filters) or ""
    except (KeyError, ValueError, LookupError, TypeError, NoReverseMatch) as exc:
        logger.info("no rows_url for %s %s %s: %s", app, kind, filters, exc)
        return ""


def rows_url(app: str, kind: str, year: int, **filters):
    """The app's list page filtered to the rows behind a figure ('' if it has none).

    Resolved lazily: only the HTML prints these links, and resolving them loads the whole
    URL configuration (every view, the API), which a PDF rendered in a fresh process
    would otherwise pay for. The lazy value pickles, so cached summaries keep it.
    """
    return LazyStr(_resolve_rows_url, app, kind, year, dict(filters))
