"""Request hygiene shared by every page and API list, and the answer when the database is
unreachable."""

from __future__ import annotations

import logging
import os
import sys
import time
from contextlib import ExitStack, contextmanager, suppress

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils import timezone, translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class DropNullCharactersMiddleware:
    """Drop NUL characters from the query string's values before any view reads them.

    Lists filter on what the user typed (``?q=``, ``?product=``, ``?school=``...), and
    PostgreSQL refuses a NUL in a query: one pasted character made the page fail with a
    server error. No one means a NUL in a search, so it is removed here, once for every
    filter, instead of in each view. (Forms' text fields already refuse NULs with a message.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "%00" in request.META.get("QUERY_STRING", ""):  # how a NUL arrives in a URL
            cleaned = request.GET.copy()
            for key in list(cleaned):
                cleaned.setlist(key, [value.replace("\x00", "") for value in cleaned.getlist(key)])
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)


class SessionRenewalMiddleware:
    """Keep a signed-in session alive while it is used, without writing it on every request.

    A session ends after ``SESSION_COOKIE_AGE`` (an hour) without activity. Saving the session
    on every request (``SESSION_SAVE_EVERY_REQUEST``) did that with a database transaction and a
    commit flushed to disk per page. Here a request renews the session (saves it with a new
    expiry, and its cookie is sent again) only when its last renewal is ``SESSION_RENEW_AFTER``
    seconds old or more, or when the session changed anyway. So a session ends between
    ``SESSION_COOKIE_AGE - SESSION_RENEW_AFTER`` and ``SESSION_COOKIE_AGE`` after its last
    request. Listed after ``SessionMiddleware``: it marks the session before that one saves it.
    """

    KEY = "_renewed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user, session = getattr(request, "user", None), getattr(request, "session", None)
        if session is None or not getattr(user, "is_authenticated", False):
            return response
        now = int(timezone.now().timestamp())
        if session.modified or now - session.get(self.KEY, 0) >= settings.SESSION_RENEW_AFTER:
            session[self.KEY] = now
        return response


# -- The database unreachable ---------------------------------------------------------------

DATABASE_ERRORS = (OperationalError, InterfaceError)
# SQLite reports a missing table or column as an OperationalError too: that is a broken
# installation (a 500), not a database that cannot be reached.
_SCHEMA_ERRORS = ("no such table", "no such column")


def _unreachable(exc) -> bool:
    return isinstance(exc, DATABASE_ERRORS) and not str(exc).startswith(_SCHEMA_ERRORS)


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
RETRY_AFTER_SECONDS = 5
# Writes that are bookkeeping, not the user's change: the session and the login throttle.
_BOOKKEEPING_TABLES = ('"django_session"', '"axes_')
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE")


class _Writes:
    """What this request wrote, seen through each connection's execute wrapper.

    ``committed``: a write of the request's own is in the database (made outside a transaction,
    or inside one that has committed). ``unknown``: a write's or a commit's answer never came
    (the connection dropped while it ran), so whether it is in the database cannot be known.
    A write inside a transaction that was then rolled back (every view's change is one
    ``transaction.atomic`` block) leaves both False: nothing of it was saved.
    """

    def __init__(self):
        self.committed = False
        self.unknown = False
        self.failure: Exception | None = None  # the first connection error a statement met
        self.statements = 0  # what the request's statements cost, for the Server-Timing header
        self.seconds = 0.0

    def _done(self):
        self.committed = True

    def __call__(self, execute, sql, params, many, context):
        head = sql.lstrip()[:80]
        write = head[:6].upper() in _WRITE_VERBS and not any(t in head for t in _BOOKKEEPING_TABLES)
        connection = context["connection"]
        began = time.perf_counter()
        try:
            result = execute(sql, params, many, context)
        except DATABASE_ERRORS as exc:
            if _unreachable(exc):
                self.failure = self.failure or exc
            if write and not connection.in_atomic_block:
                self.unknown = True  # autocommit: the statement may have run before the drop
            raise
        finally:
            self.statements += 1
            self.seconds += time.perf_counter() - began
        if write:
            if connection.in_atomic_block:
                connection.on_commit(self._done)  # dropped with the transaction if it rolls back
            else:
                self.committed = True
        return result


@contextmanager
def _wrapped(connection, writes: _Writes):
    """``connection.execute_wrapper(writes)``, but taken off by identity: Django's pops the last
    wrapper, which is another's when one was added during the request (a connection opened
    inside it gets the data versions' wrapper), and this one would stay on the connection, one
    more each time, until every query recursed through hundreds of them."""
    connection.execute_wrappers.append(writes)
    try:
        yield
    finally:
        with suppress(ValueError):  # already gone: nothing to take off, and the answer stands
            connection.execute_wrappers.remove(writes)


def _failed_to_connect(response) -> Exception | None:
    """A 400 after a connection could not even be opened (the session saved after the view, on
    a connection closed and then refused): no statement ran, so the execute wrapper saw nothing,
    and Django reports the failed session save as SessionInterrupted. The connection's own
    error flag (set for every database error but bad data and integrity) tells."""
    if response.status_code != 400:
        return None
    for connection in connections.all(initialized_only=True):
        if connection.errors_occurred:
            return OperationalError("a database connection failed while the response was made")
    return None


def _failed_in_commit(exc: BaseException) -> bool:
    """The error came from COMMIT itself: the server may have committed before the drop."""
    tb = exc.__traceback__
    base = os.path.join("django", "db", "backends", "base", "base.py")
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_name in ("commit", "_commit") and code.co_filename.endswith(base):
            return True
        tb = tb.tb_next
    return False


def _remember_database_failure(sender, request=None, **kwargs):
    """A database error raised outside a view (a middleware's own query, the session saved
    after the view) reaches Django's 500 handler; the request remembers it so that
    DatabaseUnavailableMiddleware answers 503 instead."""
    exc = sys.exc_info()[1]
    if request is not None and _unreachable(exc):
        request._database_failure = exc


got_request_exception.connect(_remember_database_failure, dispatch_uid="workstudy.database_unavailable")


class DatabaseUnavailableMiddleware:
    """The database unreachable, or a connection dropped in the middle of a request, gives a
    clear 503 page (JSON for the API) with ``Retry-After`` instead of the generic error page,
    and says exactly whether the user's change was saved:

    - a read (GET): the page could not be shown; nothing to save;
    - a change whose transaction never committed (the view's ``transaction.atomic`` rolled
      back, or the database was never reached): not saved, send it again later;
    - a change of which a transaction committed, or whose COMMIT (or a write outside a
      transaction) lost its answer: it may have been saved, look before sending it again.

    A read that fails on a dropped connection is run once more at once on a fresh connection
    (one retry, GET and HEAD only, and only when the attempt wrote nothing of its own): a
    database restart or a terminated backend then costs the user nothing when the database is
    back, while a database that is down still answers within milliseconds. Changes are never
    retried: the user decides, told whether it was saved.

    Placed before the session middleware so that a failure while the session is saved is
    caught too. The page is rendered without the request's context processors: they read the
    database (the user, the menu).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response, writes = self._attempt(request)
        if getattr(response, "_retry_database", False):
            _drop_broken_connections()
            logger.warning("database error on %s %s; trying it once more on a new connection", request.method, request.path)
            request._database_failure = None
            response, writes = self._attempt(request, retried=True)
        # A failure outside the view: Django's 500 (the signal above), or 400 when it was the
        # session's save (Django reports a failed session update as SessionInterrupted).
        failure = getattr(request, "_database_failure", None) or writes.failure or _failed_to_connect(response)
        if failure is not None and response.status_code in (400, 500) and not getattr(response, "_unavailable", False):
            response = unavailable_response(request, saved=_saved(request, writes, failure))
        return response

    def _attempt(self, request, retried: bool = False):
        writes = _Writes()
        request._database_writes, request._database_retried = writes, retried
        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(_wrapped(connection, writes))
            response = self.get_response(request)
        return response, writes

    def process_exception(self, request, exception):
        if not _unreachable(exception):
            return None
        writes = getattr(request, "_database_writes", None) or _Writes()
        request._database_failure = exception
        if _failed_in_commit(exception):
            writes.unknown = True
        logger.error("database unavailable during %s %s: %s", request.method, request.path, exception, exc_info=exception)
        if (
            request.method in ("GET", "HEAD")
            and not getattr(request, "_database_retried", True)
            and not writes.committed
            and not writes.unknown
            and not any(c.in_atomic_block for c in connections.all(initialized_only=True))
        ):
            response = HttpResponse(status=503)
            response._retry_database = True  # DatabaseUnavailableMiddleware.__call__ runs it again
            return response
        return unavailable_response(request, saved=_saved(request, writes, exception))


def _saved(request, writes: _Writes, exception) -> bool | None:
    """False: the change was not saved; None: it may have been; for a read, False."""
    if request.method in SAFE_METHODS:
        return False
    if writes.committed or writes.unknown or _failed_in_commit(exception):
        return None
    return False


def _drop_broken_connections() -> None:
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


def unavailable_message(method: str, saved: bool | None) -> str:
    if method in SAFE_METHODS:
        return _("数据库暂时无法连接，页面未能打开。请稍后刷新重试。")
    if saved is None:
        return _("处理过程中数据库连接中断，您的操作可能已经保存。请稍后打开相关页面核对，确认没有保存再重新提交。")
    return _("数据库暂时无法连接，您的操作没有保存。请稍后重试。")


def unavailable_response(request, *, saved: bool | None) -> HttpResponse:
    """503 with Retry-After: JSON for the API, the self-contained page otherwise. The header
    ``X-Change-Saved`` (``no`` / ``maybe``) tells a client of a change what the text says."""
    language = getattr(request, "LANGUAGE_CODE", None) or translation.get_language_from_request(request)
    with translation.override(language):
        message = str(unavailable_message(request.method, saved))
        if request.path.startswith("/api/"):
            body = {"detail": message, "code": "database_unavailable"}
            if request.method not in SAFE_METHODS:
                body["saved"] = saved
            response = JsonResponse(body, status=503, json_dumps_params={"ensure_ascii": False})
        else:
            html = loader.get_template("503.html").render(
                {
                    "message": message,
                    "reload": request.get_full_path() if request.method in ("GET", "HEAD") else None,
                }
            )
            response = HttpResponse(html, status=503)
    response._unavailable = True
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    if request.method not in SAFE_METHODS:
        response["X-Change-Saved"] = "no" if saved is False else "maybe"
    return response


class ServerTimingMiddleware:
    """With ``PORTAL_SERVER_TIMING`` on, every answer says what it cost the server, in the
    standard ``Server-Timing`` header (shown by the browser's developer tools, read by the load
    test): ``app``, the time from this middleware to the answer; ``cpu``, the CPU time of the
    thread that made it; ``db``, the time its database statements took and how many there were.
    ``app`` well above ``cpu + db`` is time spent waiting for a core (or for the interpreter
    lock); a client's time well above ``app`` is time spent waiting for a free worker.

    First in ``MIDDLEWARE``: it times the whole request. A download's streaming is not counted."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.PORTAL_SERVER_TIMING:
            return self.get_response(request)
        wall, cpu = time.perf_counter(), time.thread_time()
        response = self.get_response(request)
        parts = [f"app;dur={(time.perf_counter() - wall) * 1000:.1f}", f"cpu;dur={(time.thread_time() - cpu) * 1000:.1f}"]
        writes = getattr(request, "_database_writes", None)
        if writes is not None:
            parts.append(f'db;dur={writes.seconds * 1000:.1f};desc="{writes.statements}"')
        response["Server-Timing"] = ", ".join(parts)
        return response
