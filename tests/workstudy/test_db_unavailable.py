"""The database unreachable or a connection dropped mid-request: a 503 page (JSON for the API)
with Retry-After that says whether the change was saved, and the database holds exactly that.

The database fails through the cursor (every statement after the trigger fails, as on a
dropped connection) on SQLite and PostgreSQL; on PostgreSQL a second set of tests terminates
the request's own backend from another connection (pg_terminate_backend) in the middle of it.
Writes use transactional tests: commits are real, as in production.
"""

from __future__ import annotations

import contextlib
import io
from decimal import Decimal

import pytest
from django.db import OperationalError, connections
from django.db.backends.utils import CursorWrapper
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from labor_bases.models import LandParcel, ProductionLine
from tests.labor_bases.factories import LaborBaseFactory, LandParcelFactory
from workstudy.models import ImportUpload, Submission, SubmissionStatus, WorkflowEvent

NOT_SAVED = "数据库暂时无法连接，您的操作没有保存。请稍后重试。"
MAYBE_SAVED = "处理过程中数据库连接中断，您的操作可能已经保存。"
PAGE_NOT_SHOWN = "数据库暂时无法连接，页面未能打开。请稍后刷新重试。"
DROPPED = "server closed the connection unexpectedly (simulated by the test)"


class Outage:
    """Statements fail from the first one ``trigger(sql)`` matches: ``times`` statements in
    all (a connection that drops and comes back), or every one after it (``times=None``:
    the connection is gone for the rest of the request)."""

    def __init__(self, trigger, times: int | None = None):
        self.trigger, self.times = trigger, times
        self.failed = 0
        self.active = False

    def fails(self, sql: str) -> bool:
        if not self.active and self.trigger(sql):
            self.active = True
        if self.active and (self.times is None or self.failed < self.times):
            self.failed += 1
            return True
        return False


@contextlib.contextmanager
def database_outage(trigger, times=None):
    outage = Outage(trigger, times)
    original, original_many = CursorWrapper._execute, CursorWrapper._executemany

    def execute(self, sql, params, *ignored):
        if outage.fails(sql):
            raise OperationalError(DROPPED)
        return original(self, sql, params, *ignored)

    def executemany(self, sql, param_list, *ignored):
        if outage.fails(sql):
            raise OperationalError(DROPPED)
        return original_many(self, sql, param_list, *ignored)

    CursorWrapper._execute, CursorWrapper._executemany = execute, executemany
    try:
        yield outage
    finally:
        CursorWrapper._execute, CursorWrapper._executemany = original, original_many


def any_statement(sql):
    return True


def writes_to(table):
    return lambda sql: sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) and f'"{table}"' in sql


def _client(user):
    client = Client(raise_request_exception=False)  # a failure outside a view is answered, not raised
    client.force_login(user)
    return client


def _assert_503_page(response, text):
    html = response.content.decode()
    assert response.status_code == 503, html[:500]
    assert response["Retry-After"] == "5"
    assert text in html and "暂时无法连接数据库" in html and "勤工俭学管理平台" in html
    assert "Traceback" not in html and DROPPED not in html and "服务器出错了" not in html


# Reads --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_page_read_while_the_database_is_down_is_a_503_page(principal_a, submission_a):
    client = _client(principal_a)
    with database_outage(any_statement):
        response = client.get(reverse("dashboard") + "?year=2024")
    _assert_503_page(response, PAGE_NOT_SHOWN)
    assert "X-Change-Saved" not in response
    assert 'href="/?year=2024"' in response.content.decode()  # reload the same page
    assert client.get(reverse("dashboard") + "?year=2024").status_code == 200  # back: works again


@pytest.mark.django_db
def test_the_page_is_in_the_users_language(principal_a, submission_a):
    client = _client(principal_a)
    with database_outage(any_statement):
        response = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503 and '<html lang="en">' in response.content.decode()
    with database_outage(any_statement):
        response = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert '<html lang="zh-hans">' in response.content.decode()


@pytest.mark.django_db(transaction=True)  # no test transaction around the request: as served
def test_a_read_whose_connection_dropped_once_is_answered_by_one_retry(principal_a, submission_a):
    client = _client(principal_a)
    with database_outage(lambda sql: "workstudy_submission" in sql, times=1) as outage:
        response = client.get(reverse("dashboard") + "?year=2024")
    assert outage.failed == 1
    assert response.status_code == 200 and "Retry-After" not in response


@pytest.mark.django_db(transaction=True)  # no test transaction around the request: as served
def test_a_read_is_retried_only_once(principal_a, submission_a):
    client = _client(principal_a)
    with database_outage(lambda sql: "workstudy_submission" in sql, times=2) as outage:
        response = client.get(reverse("dashboard") + "?year=2024")
    assert outage.failed == 2
    _assert_503_page(response, PAGE_NOT_SHOWN)


@pytest.mark.django_db
def test_the_api_answers_json(principal_a, submission_a):
    client = _client(principal_a)
    with database_outage(any_statement):
        response = client.get("/api/submissions/?year=2024")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": PAGE_NOT_SHOWN, "code": "database_unavailable"}


# Changes ------------------------------------------------------------------------------------


def _plot(school):
    base = LaborBaseFactory(school=school, name="甲校茶园基地", declared_total_mu=Decimal("12"))
    return LandParcelFactory(base=base, year_id=2024, land_type="tea", crop="茶", area_mu=Decimal("12"))


def _plot_post(client, plot, area):
    return client.post(
        reverse("labor_bases:plot_edit", args=[plot.pk]) + "?year=2024",
        {"base": plot.base_id, "land_type": "tea", "crop": "茶", "area_mu": area, "row_version": plot.version},
    )


@pytest.mark.django_db(transaction=True)
def test_an_edit_that_fails_inside_its_transaction_is_not_saved(principal_a, year):
    plot = _plot(principal_a.school)
    client = _client(principal_a)
    with database_outage(writes_to("labor_bases_landparcel")) as outage:
        response = _plot_post(client, plot, "7")
    assert outage.failed
    _assert_503_page(response, NOT_SAVED)
    assert response["X-Change-Saved"] == "no"
    assert LandParcel.objects.get(pk=plot.pk).area_mu == Decimal("12.00")  # what the page says
    assert plot.history.count() == 1
    assert _plot_post(client, plot, "7").status_code == 302  # sent again later: saved
    assert LandParcel.objects.get(pk=plot.pk).area_mu == Decimal("7.00")


@pytest.mark.django_db(transaction=True)
def test_an_edit_saved_before_the_connection_dropped_says_it_may_be_saved(principal_a, year):
    """The plot's transaction committed; the session saved afterwards hit the dropped
    connection (outside the view: Django's 500 path). The page must not say 'not saved'."""
    plot = _plot(principal_a.school)
    client = _client(principal_a)
    with database_outage(writes_to("django_session")) as outage:
        response = _plot_post(client, plot, "8")
    assert outage.failed
    _assert_503_page(response, MAYBE_SAVED)
    assert response["X-Change-Saved"] == "maybe"
    assert LandParcel.objects.get(pk=plot.pk).area_mu == Decimal("8.00")


@pytest.mark.django_db(transaction=True)
def test_a_commit_whose_answer_never_came_says_it_may_be_saved(principal_a, year, monkeypatch):
    plot = _plot(principal_a.school)
    client = _client(principal_a)
    wrapper = type(connections["default"])
    original = wrapper._commit
    calls = []

    def commit_then_drop(self):
        original(self)  # the server committed; its answer is lost
        if not calls:
            calls.append(1)
            raise OperationalError(DROPPED)

    monkeypatch.setattr(wrapper, "_commit", commit_then_drop)
    response = _plot_post(client, plot, "9")
    assert calls
    _assert_503_page(response, MAYBE_SAVED)
    assert response["X-Change-Saved"] == "maybe"
    assert LandParcel.objects.get(pk=plot.pk).area_mu == Decimal("9.00")


@pytest.mark.django_db(transaction=True)
def test_an_edit_whose_session_save_cannot_connect_says_it_may_be_saved(principal_a, year, monkeypatch):
    """The plot's transaction committed; then the connection was gone and a new one refused, so
    the session's save fails before any statement (Django answers SessionInterrupted, a 400)."""
    from django.contrib.sessions.backends.db import SessionStore
    connection = connections["default"]
    plot = _plot(principal_a.school)
    client = _client(principal_a)
    wrapper, save = type(connection), SessionStore.save
    refused = []

    def refuse(self):
        # How Django reports a connection that cannot be opened (ensure_connection's own wrapping).
        refused.append(1)
        with self.wrap_database_errors:
            raise self.Database.OperationalError("could not connect to server: Connection refused (simulated)")

    def save_after_the_connection_is_gone(self, *args, **kwargs):
        with monkeypatch.context() as patch:
            patch.setattr(wrapper, "ensure_connection", refuse)
            return save(self, *args, **kwargs)

    monkeypatch.setattr(SessionStore, "save", save_after_the_connection_is_gone)
    response = _plot_post(client, plot, "6")
    monkeypatch.undo()
    assert refused
    _assert_503_page(response, MAYBE_SAVED)  # not the bare 400 of an interrupted session
    assert response["X-Change-Saved"] == "maybe"
    assert LandParcel.objects.get(pk=plot.pk).area_mu == Decimal("6.00")


@pytest.mark.django_db(transaction=True)
def test_an_approval_cut_off_is_not_saved_and_not_stuck(director, submission_a):
    Submission.objects.filter(pk=submission_a.pk).update(status=SubmissionStatus.SUBMITTED)
    client = _client(director)
    url = reverse("submission_action", args=[submission_a.pk, "approve"])
    with database_outage(writes_to("workstudy_workflowevent")) as outage:  # after the status UPDATE
        response = client.post(url)
    assert outage.failed
    _assert_503_page(response, NOT_SAVED)
    assert Submission.objects.get(pk=submission_a.pk).status == SubmissionStatus.SUBMITTED
    assert not WorkflowEvent.objects.filter(action="approve").exists()
    assert client.post(url).status_code == 302  # approved when sent again
    assert Submission.objects.get(pk=submission_a.pk).status == SubmissionStatus.APPROVED
    assert WorkflowEvent.objects.filter(action="approve").count() == 1


PRODUCTION_HEADERS = ["学校", "基地名称", "年度", "产品", "等级/规格", "产量", "计量单位", "平均单价(元)", "产值(元)", "备注"]


def _workbook(base, rows=20):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(PRODUCTION_HEADERS)
    for n in range(rows):
        sheet.append(["", base.name, 2024, f"产品{n:02d}", "一级", 10 + n, "千克", 3, "", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "lines.xlsx"
    return buffer


@pytest.mark.django_db(transaction=True)
def test_an_import_cut_off_inside_its_transaction_saves_no_row_and_can_be_confirmed_again(principal_a, year):
    base = LaborBaseFactory(school=principal_a.school, name="甲校茶园基地", declared_total_mu=Decimal("12"))
    client = _client(principal_a)
    url = reverse("excel:import", args=["labor_production"])
    preview = client.post(url, {"file": _workbook(base), "year": 2024})
    assert preview.status_code == 200
    upload = ImportUpload.objects.get()
    # The twenty rows are written; the connection drops while their history is written,
    # inside the import's transaction.
    with database_outage(writes_to("labor_bases_historicalproductionline")) as outage:
        response = client.post(url, {"upload_id": upload.pk})
    assert outage.failed
    _assert_503_page(response, NOT_SAVED)
    assert response["X-Change-Saved"] == "no"
    assert not ProductionLine.objects.exists()
    response = client.post(url, {"upload_id": upload.pk})  # the same upload, confirmed again
    assert response.status_code == 302
    assert ProductionLine.objects.count() == 20


@pytest.mark.django_db(transaction=True)
def test_an_api_change_that_failed_says_not_saved_in_json(principal_a, year):
    plot = _plot(principal_a.school)
    client = _client(principal_a)
    with database_outage(writes_to("labor_bases_landparcel")):
        response = client.patch(
            f"/api/labor-bases/plots/{plot.pk}/", {"area_mu": "3", "version": plot.version}, content_type="application/json"
        )
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json() == {"detail": NOT_SAVED, "code": "database_unavailable", "saved": False}
    assert LandParcel.objects.get(pk=plot.pk).area_mu == Decimal("12.00")


def test_a_request_takes_off_its_own_execute_wrapper_and_no_other(rf):
    """A wrapper added to the connection during the request (as the data versions' is when the
    connection is opened inside it) stays; the request's own goes. Taken off by position, the
    request's stayed behind instead, one more per request, until queries hit RecursionError."""
    from django.db import connection
    from django.http import HttpResponse

    from workstudy.middleware import DatabaseUnavailableMiddleware

    def another(execute, sql, params, many, context):
        return execute(sql, params, many, context)

    def view(request):
        connection.execute_wrappers.append(another)
        return HttpResponse("ok")

    before = list(connection.execute_wrappers)
    try:
        for _ in range(3):
            assert DatabaseUnavailableMiddleware(view)(rf.get("/")).status_code == 200
        assert connection.execute_wrappers == before + [another] * 3
    finally:
        connection.execute_wrappers[:] = before
