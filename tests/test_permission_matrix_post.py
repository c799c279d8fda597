"""Every write of the project, sent by every role: who may write, and that a refused write
changes nothing.

The writes are read from the URL configuration, not listed by hand: every pattern whose view
has a ``post``/``put``/``patch``/``delete`` handler (pages, Django's form and delete views) or
whose API viewset maps one of those methods to an action (create, update, destroy, the
workflow actions). Each is sent with an empty body and, by those the matrix refuses it, with
the body the permission matrix sends (``tests/<app>/url_cases.py``), by:

* a logged-out visitor: sent to the login page (the API answers 401/403), nothing changed;
* principal A, on school B's rows: 404 where the page is school B's row, 403 where the page
  is for bureau staff; and never a change, whether the row is named in the URL or in the body;
* an auditor: 403, nothing changed (auditors read everything and write nothing);
* bureau staff and principal B (the rows' own school): never a server error, and nothing
  changed when the write is refused (a form shown again, an API 4xx);
* and on pages, the HTTP DELETE method is refused (405, or the role's refusal before it):
  pages delete through their confirmation form, whose checks a bare DELETE would skip.

"Nothing changed" compares every row of every table of ours (and its change history) before
and after. One world per app is built with the matrix's ``build_world``; each request runs in
a savepoint that is rolled back, so every request meets the same world.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from http.cookies import SimpleCookie

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.generic.edit import ProcessFormView

from tests.matrix import ANON, AUDITOR, PRINCIPAL_A, PRINCIPAL_B, STAFF, Case
from tests.test_permission_matrix import ALL_CASES, build_world

# Views that write no data of the portal: they act on the caller's own session or account
# (signing in and out, the password, the page language), check an uploaded file against the
# archive, or answer the load balancer and crawlers. No role is refused them; they are still
# sent every write, and must change no row.
NO_DATA_VIEWS = {"login", "logout", "password_change", "set_language", "verify", "health", "robots"}

# Tables that change on every request whatever the view does (sessions, login times) or that
# the framework alone writes.
_NOT_DATA = {"sessions", "axes", "admin", "contenttypes", "auth.permission"}

WRITE_METHODS = ("post", "put", "patch", "delete")


@dataclass(frozen=True)
class Write:
    url_name: str
    method: str
    api: bool
    app: str


def _patterns(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern.callback


def _methods(callback) -> tuple[list[str], bool]:
    """The write methods a view answers, and whether it is an API view."""
    actions = getattr(callback, "actions", None)
    if actions:
        methods = [m for m in WRITE_METHODS if m in actions]
        if "put" in methods and "patch" in methods:  # one update path (partial or not)
            methods.remove("put")
        return methods, True
    view_class = getattr(callback, "view_class", None)
    if view_class is None:  # a function view: it may take any method
        return ["post"], False
    api = hasattr(callback, "cls")
    methods = [m for m in WRITE_METHODS if hasattr(view_class, m)]
    # Django's form views answer PUT with their POST handler: one of the two is enough.
    if "put" in methods and "post" in methods and view_class.put is ProcessFormView.put:
        methods.remove("put")
    return methods, api


def _writes() -> list[Write]:
    writes = []
    for name, callback in _patterns(get_resolver().url_patterns):
        methods, api = _methods(callback)
        app = (getattr(callback, "view_class", None) or callback).__module__.split(".")[0]
        writes += [Write(name, method, api, app) for method in methods]
    return writes


WRITES = _writes()
APPS = sorted({w.app for w in WRITES})
CASES_BY_NAME: dict[str, list[Case]] = defaultdict(list)
for _case in ALL_CASES:
    CASES_BY_NAME[_case.url_name].append(_case)


def test_the_writes_are_found():
    """The URL configuration's writes are all seen (a view that stopped being found as a
    write would silently leave this file's checks)."""
    found = {(w.url_name, w.method) for w in WRITES}
    assert {
        ("labor_bases:base_delete", "post"),
        ("labor-base-detail", "delete"),
        ("labor-base-list", "post"),
        ("year_action", "post"),
        ("insurance:claim_file_upload", "post"),
    } <= found
    assert len(WRITES) > 150
    # Every write has a matrix case to take its URL arguments from.
    assert not [w.url_name for w in WRITES if w.url_name not in CASES_BY_NAME and w.url_name not in NO_DATA_VIEWS]


def _data_models() -> list:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label not in _NOT_DATA and model._meta.label_lower not in _NOT_DATA
    ]


def _fingerprint_sql() -> tuple[str, list[str], list]:
    """One query for every table: its row count and, where rows carry an edit counter, the
    counter's sum. A save adds a history row or raises a counter; the few tables with
    neither are read whole."""
    qn = connection.ops.quote_name
    parts, labels, whole = [], [], []
    for model in _data_models():
        table, fields = qn(model._meta.db_table), {f.attname for f in model._meta.concrete_fields}
        label = model._meta.label_lower
        parts.append(f"(SELECT COUNT(*) FROM {table})")
        labels.append(label)
        if "version" in fields:
            parts.append(f"(SELECT COALESCE(SUM({qn('version')}), 0) FROM {table})")
            labels.append(label)
        elif not (model._meta.auto_created or "history_id" in fields or hasattr(model, "history")):
            whole.append(model)
    return "SELECT " + ", ".join(parts), labels, whole


def _snapshot() -> dict[str, tuple]:
    """What the data tables hold (see :func:`_fingerprint_sql`), by table."""
    sql, labels, whole = _fingerprint_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        values = cursor.fetchone()
    state = defaultdict(tuple)
    for label, value in zip(labels, values, strict=True):
        state[label] += (value,)
    for model in whole:
        fields = [f.attname for f in model._meta.concrete_fields]
        state[model._meta.label_lower] += tuple(model._base_manager.order_by("pk").values_list(*fields))
    return dict(state)


def _changed(before, after) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])


def _case_for(write: Write) -> tuple[Case, Case | None]:
    """The URL's arguments (from its first matrix case) and the write the matrix sends as
    principal B (the same method, with a body), if any."""
    cases = CASES_BY_NAME[write.url_name] or [Case(write.url_name, {})]
    with_body = [c for c in cases if c.method == write.method and c.data is not None]
    return (with_body or cases)[0], (with_body[0] if with_body else None)


def _send(world, write: Write, case: Case, signed_in: Client | None, body: dict | None):
    url = reverse(write.url_name, kwargs=case.kwargs(world))
    if case.query:
        url += "?" + case.query
    # A new client each time (no cookie or message carries over); a server error is an answer.
    client = Client(raise_request_exception=False)
    if signed_in is not None:
        client.cookies = SimpleCookie(signed_in.cookies)
    send = getattr(client, write.method)
    if write.api or case.content_type == "application/json":
        return send(url, data=json.dumps(body or {}), content_type="application/json")
    if write.method == "post":
        return send(url, data=body or {})
    return send(url)


def _login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


_SUCCESS = {201, 204, 302}


def _principal_a_refused(url_name: str) -> bool:
    """Whether the matrix refuses principal A this URL (school B's row, or a staff page)."""
    return any(c.expect.get(PRINCIPAL_A) in (403, 404) for c in CASES_BY_NAME[url_name])


def _hidden_from_principal_a(url_name: str) -> bool:
    """Whether the URL names a row of school B that principal A may not even read."""
    return any(c.method == "get" and c.expect.get(PRINCIPAL_A) == 404 for c in CASES_BY_NAME[url_name])


def _problems(world, before, write: Write, role: str, signed_in, body_name: str, body) -> list[str]:
    case, _ = _case_for(write)
    with transaction.atomic():
        response = _send(world, write, case, signed_in, body)
        after = _snapshot()
        transaction.set_rollback(True)
    status = response.status_code
    where = f"{write.method.upper()} {write.url_name} ({body_name}) as {role}"
    changed = _changed(before, after)
    problems = []
    if status >= 500:
        problems.append(f"{where}: {status}")
    if write.url_name in NO_DATA_VIEWS:
        if changed:
            problems.append(f"{where}: answered {status} and changed {changed}")
        return problems
    # Pages write by POST only: an HTTP DELETE would skip the confirmation form and its checks.
    # Staff may delete on every page, so their DELETE reaches the handler.
    if not write.api and write.method == "delete" and role == STAFF and status != 405:
        problems.append(f"{where}: {status}, not 405")
    refused_role = role in (ANON, AUDITOR) or (role == PRINCIPAL_A and _principal_a_refused(write.url_name))
    refused_answer = status >= 400 or (status == 200 and not write.api)
    if changed and (refused_role or refused_answer):
        problems.append(f"{where}: answered {status} and changed {changed}")
    if status == 405:  # the method is refused to everyone
        return problems
    if role == ANON and not (status in (401, 403) if write.api else _login_redirect(response)):
        problems.append(f"{where}: {status}, not the login page")
    elif role == AUDITOR and status != 403:
        problems.append(f"{where}: {status}, not 403")
    elif role == PRINCIPAL_A and refused_role:
        allowed = {403, 404} if _hidden_from_principal_a(write.url_name) else {400, 403, 404}
        if status not in allowed:
            problems.append(f"{where}: {status}, not one of {sorted(allowed)}")
    return problems


def _bodies(write: Write, role: str) -> list[str]:
    """What ``role`` sends: staff and principal B an empty body (a refused or harmless write);
    those the matrix refuses, the matrix's own body for the write as well."""
    _, with_body = _case_for(write)
    if role in (STAFF, PRINCIPAL_B) or with_body is None:
        return ["empty"]
    if role == PRINCIPAL_A:
        if with_body.expect.get(PRINCIPAL_A) in _SUCCESS or (write.api and with_body.expect.get(PRINCIPAL_A) == 200):
            return ["empty"]  # the matrix's body is principal A's own (a row of school A)
        return ["empty", "matrix body"]
    return ["matrix body"]


@pytest.fixture
def world(db, school_a, school_b, year, director, principal_a, principal_b, auditor):
    return build_world(
        school_a=school_a,
        school_b=school_b,
        year=year,
        director=director,
        principal_a=principal_a,
        principal_b=principal_b,
        auditor=auditor,
    )


@pytest.mark.parametrize("app", APPS)
def test_every_write_as_every_role(world, app):
    users = {STAFF: world.director, PRINCIPAL_A: world.principal_a, PRINCIPAL_B: world.principal_b, AUDITOR: world.auditor}
    # Signed in once, before the snapshot (signing in records the login time); each request
    # then carries a copy of the session cookie.
    clients = {ANON: None}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    before = _snapshot()
    problems = []
    for write in (w for w in WRITES if w.app == app):
        _, with_body = _case_for(write)
        for role, client in clients.items():
            for body_name in _bodies(write, role):
                body = with_body.data(world) if body_name == "matrix body" else None
                problems += _problems(world, before, write, role, client, body_name, body)
    assert not problems, "\n".join(problems)
