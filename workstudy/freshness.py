"""A cheap "has any data changed?" stamp, so unchanged figures are served without recomputing.

The stamp is a counter per app in the database (:class:`dataversions.models.DataVersion`), so
every app server and gunicorn worker agrees on it whatever the cache backend. It is raised
*after* a transaction that wrote the app's tables commits (``on_commit``; at once for a write
in autocommit), never before: a reader that sees the new number also sees the new rows, and
the figures it caches under the old number were read after that number. (The stamp used to
be the highest change-history id; ids are taken when a row is inserted, not when it commits,
so a long import committing after a short save left cached figures older than the data.)

Writes are seen where they happen, in the database layer (``connection.execute_wrappers``):
every INSERT, UPDATE and DELETE on a watched table (the scoped domain tables, schools, years,
returns, and their history tables), ``bulk_create`` and ``QuerySet.update()`` included. If a
process dies between its commit and the bump, figures are at most :data:`TTL` seconds old
(``TTL + NEAR_TTL`` where a process kept its own copy, see :func:`cached`).
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
import pickle
import re
import secrets
import threading
import time
from collections import OrderedDict

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import DatabaseError, connection, connections
from django.db.backends.signals import connection_created

logger = logging.getLogger(__name__)

TTL = 600

# Schools, years and county locks: every app's figures and checks read them.
CORE_APP = "workstudy"
# The schools' returns and what goes with them (statuses, workflow, reminders, explained
# warnings): their own stamp, so that a return submitted or approved (every minute or so on a
# deadline day) leaves the figures and checks that never read returns kept. A value that reads
# them says so: ``apps=[..., RETURNS]`` (tests check it, see :func:`reads_checked`).
RETURNS = "returns"
# But whether a school has a return for a year says whether it takes part in that year
# (workstudy.participation), which counts of schools read: a return made or deleted raises the
# core's stamp too. A return never moves to another school or year (Submission.save refuses it).

_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+["`]?(\w+)', re.IGNORECASE)
_tables: dict[str, str] | None = None


def _returns_models() -> set:
    from workstudy.models import Reminder, Submission, WarningNote, WorkflowEvent

    return {Submission, WorkflowEvent, Reminder, WarningNote}


def _watched_models() -> list:
    from workstudy import scoping
    from workstudy.models import CountyLock, ReportingYear, School

    # A county's lock decides which schools count in its year (workstudy.participation).
    watched = set(scoping.registered_models()) | {School, ReportingYear, CountyLock} | _returns_models()
    models = []
    for model in watched:
        models.append(model)
        if hasattr(model, "history"):
            models.append(model.history.model)
    return models


def watched_tables() -> dict[str, str]:
    """Table name -> the stamp its writes raise: the app whose figures it feeds, or
    :data:`RETURNS` for the returns' tables."""
    global _tables
    if _tables is None:
        returns = {model._meta.db_table for model in _returns_models()}
        returns |= {model.history.model._meta.db_table for model in _returns_models() if hasattr(model, "history")}
        _tables = {model._meta.db_table: RETURNS if model._meta.db_table in returns else model._meta.app_label
                   for model in _watched_models()}
    return _tables


def watched_apps() -> list[str]:
    return sorted(set(watched_tables().values()))


# -- writes ------------------------------------------------------------------------------


class _Bump:
    """The on-commit callback of one app's writes in one transaction; ``writes`` counts them
    so the transaction's own stamp (:func:`stamps`) moves with each of its writes."""

    def __init__(self, alias: str, app: str):
        self.alias, self.app, self.writes = alias, app, 1

    def __call__(self):
        bump(self.app, using=self.alias)


def bump(app: str, *, using: str = "default") -> None:
    """Raise ``app``'s version (after its data committed). A failure is logged, not raised:
    the data is already committed and the user's save succeeded; the cache ages out."""
    from dataversions.models import DataVersion

    _forget(using)

    table = connections[using].ops.quote_name(DataVersion._meta.db_table)
    # A counter starts at a random number: after a flush or a restore emptied the table, the
    # new versions do not repeat old ones that a shared cache may still hold figures under.
    start = secrets.randbelow(2**52) + 1
    try:
        with connections[using].cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (app, version) VALUES (%s, %s) "
                f"ON CONFLICT (app) DO UPDATE SET version = {table}.version + 1",
                [app, start],
            )
    except DatabaseError:
        logger.warning("data version of %s not raised", app, exc_info=True)


def _note(conn, app: str) -> None:
    if not conn.in_atomic_block:
        bump(app, using=conn.alias)  # autocommit: the write has committed
        return
    # One callback per app and transaction. A callback still in the list belongs to this
    # transaction and to savepoints that are either released or enclose this write: if they
    # roll back, so does this write. Django drops the callbacks of a rolled-back savepoint.
    for _sids, func, _robust in conn.run_on_commit:
        if isinstance(func, _Bump) and func.app == app:
            func.writes += 1
            return
    conn.on_commit(_Bump(conn.alias, app), robust=True)


def _see_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    match = _WRITE.match(sql) if isinstance(sql, str) else None
    if match:
        app = watched_tables().get(match.group(1))
        if app:
            _note(context["connection"], app)  # its bump (now or at commit) forgets the request's stamps
        if match.group(1) == _existence_table() and not sql.lstrip()[:6].upper().startswith("UPDATE"):
            _note(context["connection"], CORE_APP)  # a return made or deleted: who takes part changed
    reading = _reading.get()
    if reading is not None and isinstance(sql, str):
        reading.update(_statement_stamps(sql))
    return result


def _install(sender=None, connection=None, **kwargs) -> None:
    # First in the list: it stays outermost, whatever a request adds and takes off around it
    # (workstudy.middleware takes its own off by identity). A connection first opened inside a
    # request is opened inside that request's wrapper.
    if connection is not None and _see_writes not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _see_writes)


def connect() -> None:
    """Watch writes on every database connection (called from the app config)."""
    connection_created.connect(_install, dispatch_uid="workstudy.freshness")
    request_started.connect(_begin_request, dispatch_uid="workstudy.freshness.begin")
    request_finished.connect(_end_request, dispatch_uid="workstudy.freshness.end")
    for conn in connections.all(initialized_only=True):
        _install(connection=conn)


# -- reads -------------------------------------------------------------------------------


# The stamps a request read, per database alias: read once a request (the summary page asked
# for them eleven times, a query each), again after the request writes watched data or raises a
# version. None outside a request (a worker, a command): there every call reads them.
_request_stamps: contextvars.ContextVar[dict | None] = contextvars.ContextVar("freshness_stamps", default=None)


def _begin_request(**kwargs) -> None:
    _request_stamps.set({})


def _end_request(**kwargs) -> None:
    _request_stamps.set(None)


def _forget(alias: str) -> None:
    kept = _request_stamps.get()
    if kept:
        kept.pop(alias, None)


def stamps() -> dict[str, str]:
    """Every watched app's version (one query; in a request, the first call's until the request
    writes watched data: values kept under them were read after them all the same). Inside a
    transaction that wrote an app's tables, that app's value also says how many writes are not
    committed yet: the stamp a transaction sees follows its own writes, and never equals a
    committed one."""
    from dataversions.models import DataVersion

    conn = connection
    _install(connection=conn)
    kept = None if conn.in_atomic_block else _request_stamps.get()
    if kept is not None and conn.alias in kept:
        return dict(kept[conn.alias])
    values = {app: "0" for app in watched_apps()}  # never written since the table was emptied
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT app, version FROM {conn.ops.quote_name(DataVersion._meta.db_table)}")
        values.update({app: str(version) for app, version in cursor.fetchall()})
    if kept is not None:
        kept[conn.alias] = dict(values)
    if conn.in_atomic_block:
        for _sids, func, _robust in conn.run_on_commit:
            if isinstance(func, _Bump):
                values[func.app] = f"{values.get(func.app, '0')}+{func.writes}"
    return values


def generation(apps=None, *, now: dict[str, str] | None = None) -> str:
    """A short stamp that changes whenever watched data changes — or, given ``apps`` (app
    labels, and :data:`RETURNS` for the returns), only data of those and of the core (schools,
    years, county locks).

    ``now``: :func:`stamps` already read, to derive several stamps from one query."""
    values = stamps() if now is None else now
    if apps is not None:
        wanted = {*apps, CORE_APP}
        values = {label: value for label, value in values.items() if label.partition(".")[0] in wanted}
    text = ",".join(f"{label}={value}" for label, value in sorted(values.items()))
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def in_transaction() -> bool:
    return connection.in_atomic_block


def cached(key: str, compute, *, apps=None, now: dict[str, str] | None = None, what: str = ""):
    """``compute()``, kept in the cache until the data it reads changes (the stamp above, one
    query) or for :data:`TTL` seconds. Whole-province figures take tenths of a second and
    change only when data does. ``apps``: the figures read only these apps' data and the
    core's, so a change elsewhere keeps them. Inside a transaction (a test, an import) always
    computed afresh: a value read there may be rolled back and must not be cached.
    ``now``: :func:`stamps` read before any of the data the caller reads (one query for many
    values).

    A value is kept pickled, the same bytes in the shared cache and in the process
    (:class:`_NearCopies`): the key holds the stamps, so the value under it never changes, and a
    page that reads thirty kept values asks the shared cache only for those this process has not
    seen. Each call unpickles its own copy; the value is pickled once, when computed."""
    compute = reads_checked(what or key, compute, apps)  # what: a readable name where the key is a digest
    if in_transaction():
        return compute()
    # ":p": pickled by this function (values kept before it did were the objects themselves).
    return _kept(f"{key}:{generation(apps, now=now)}:p", compute, apps)


def kept_while(key: str, state, compute, *, reads, now: dict[str, str] | None = None, what: str = ""):
    """``compute()``, kept in the cache while ``state`` stays what it was and the core's data
    (schools, years, county locks) does not change, or for :data:`TTL` seconds; like
    :func:`cached`, for a value that reads a few schools' rows of tables written all day
    (``reads``: their stamps), where ``state`` is a cheap read that changes whenever those rows
    do (their aggregates' tokens): other schools' saves leave it kept. ``state`` and ``now``
    (:func:`stamps`) are read before the data. Inside a transaction always computed afresh."""
    compute = reads_checked(what or key, compute, reads)
    if in_transaction():
        return compute()
    digest = hashlib.sha1(repr(state).encode()).hexdigest()[:16]  # noqa: S324 - a cache key
    return _kept(f"{key}:{generation([], now=now)}:{digest}:s", compute, reads)


def _kept(full_key: str, compute, reads):
    """The value kept under ``full_key`` (in this process, else in the shared cache), else
    ``compute()`` kept there; ``reads``: the stamps of the data it read (None: any)."""
    blob = _near.get(full_key)
    if blob is None:
        blob = cache.get(full_key)
        if blob is None:
            value = compute()
            blob = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
            cache.set(full_key, blob, TTL)
            _near.put(full_key, blob)
            return value  # the caller's own: the kept bytes were made before it could change it
        _near.put(full_key, blob)
    reading = _reading.get()
    if reading is not None:  # the test suite's check: a value kept inside another, read from the cache
        reading.update(watched_apps() if reads is None else reads)
    return pickle.loads(blob)  # noqa: S301 - pickled above, by this portal, into its own cache


class _NearCopies:
    """The kept values this process read or computed last, as the bytes :func:`cached` keeps, at
    most ``PORTAL_KEPT_IN_PROCESS_MB`` megabytes, the least recently used dropped first. Each is
    used for :data:`NEAR_TTL` seconds at most: a value kept under stamps a lost bump left
    unchanged is at most ``TTL + NEAR_TTL`` seconds old."""

    def __init__(self):
        self._items: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    @staticmethod
    def _limit() -> int:
        from django.conf import settings

        return int(getattr(settings, "PORTAL_KEPT_IN_PROCESS_MB", 0)) * 1024 * 1024

    def get(self, key: str) -> bytes | None:
        if not self._limit():
            return None
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if time.monotonic() >= item[0]:
                self._drop(key)
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: str, blob: bytes) -> None:
        limit = self._limit()
        if not limit or len(blob) > limit // 4:
            return
        with self._lock:
            self._drop(key)
            self._items[key] = (time.monotonic() + NEAR_TTL, blob)
            self._size += len(blob)
            while self._size > limit:
                self._drop(next(iter(self._items)))

    def _drop(self, key: str) -> None:
        item = self._items.pop(key, None)
        if item is not None:
            self._size -= len(item[1])

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0


NEAR_TTL = 60
_near = _NearCopies()


def _existence_table() -> str:
    from workstudy.models import Submission

    return Submission._meta.db_table


# -- what a kept value reads (the test suite's check) ------------------------------------

# The stamps of the data read while a value is computed under :func:`reads_checked` (None:
# nothing recorded).
_reading: contextvars.ContextVar[set | None] = contextvars.ContextVar("freshness_reading", default=None)
_WORD = re.compile(r"\w+")
_DERIVED = {"aggregates": "labor_bases"}  # aggregates.maintain sums labor_bases' rows and raises its stamp
_read_tables: dict[str, str] | None = None  # table -> stamp, the derived tables' included
_return_details: set[str] = set()  # the returns' columns beyond their school and year


def _statement_stamps(sql: str) -> set[str]:
    """The stamps whose data one statement reads: every watched table it names (a table of an
    app that only sums another's counts as that app's). A statement that names the returns'
    table but none of its columns beyond its school and year asks only whether a return exists:
    the core's stamp."""
    global _read_tables, _return_details
    if _read_tables is None:
        from django.apps import apps as registry

        from workstudy.models import Submission

        tables = dict(watched_tables())
        for app, source in _DERIVED.items():
            if registry.is_installed(app):
                tables.update({model._meta.db_table: source for model in registry.get_app_config(app).get_models()})
        _return_details = {field.column for field in Submission._meta.concrete_fields} - {"id", "school_id", "year_id"}
        _read_tables = tables
    words = set(_WORD.findall(sql))
    existence = _existence_table()
    found = {_read_tables[word] for word in words - {existence} if word in _read_tables}
    if existence in words:
        found.add(RETURNS if words & _return_details else CORE_APP)
    return found


def also_reads(*stamps: str):
    """Mark a selector kept under its app's stamp (``reports.sources.call_kept``) as reading
    these stamps' data too (:data:`RETURNS`): it is kept under them as well."""

    def mark(func):
        func.also_reads = stamps
        return func

    return mark


def kept_while_same(state):
    """Mark a selector kept by ``reports.sources.call_kept`` as kept while ``state`` (a function of
    the same arguments, one cheap query) returns the same value, rather than until its app's
    stamp moves (:func:`kept_while`); where ``state`` returns None, by the stamp."""

    def mark(func):
        func.kept_while_same = state
        return func

    return mark


class UndeclaredReads(AssertionError):
    """A kept value read data whose changes do not move the stamp it is kept under."""


def reads_checked(what: str, compute, apps):
    """``compute``, which must read only the data of ``apps`` and the core's (``apps=None``:
    everything). With ``PORTAL_CHECK_KEPT_READS`` on (the test suite), every table its
    statements name is looked up, its values kept elsewhere included (computed afresh in a
    test's transaction), and reading another app's tables raises :class:`UndeclaredReads`:
    the value would be kept after that data changed. Off in production: nothing is recorded."""
    from django.conf import settings

    if apps is None or not getattr(settings, "PORTAL_CHECK_KEPT_READS", False):
        return compute

    def run():
        outer = _reading.get()
        token = _reading.set(set())
        try:
            value = compute()
        finally:
            read = _reading.get()
            _reading.reset(token)
            if outer is not None:
                outer |= read  # the enclosing value read it too
        allowed = {*apps, CORE_APP}
        undeclared = sorted(stamp for stamp in read if stamp not in allowed)
        if undeclared:
            raise UndeclaredReads(f"{what} is kept by the stamps of {sorted(allowed)} but reads {undeclared}")
        return value

    return run
