"""The portal's load test: principals, bureau staff and auditors at the same time.

Started by scripts/loadtest/run.py (``make loadtest``), which builds the data, serves the
portal with gunicorn and reads the results; see README, "Load test". Settings come from the
environment: LOADTEST_USERS (the JSON written by build_data.py), LOADTEST_LEDGER (where the
record of every change the portal confirmed is written at the end), LOADTEST_PRINCIPALS,
LOADTEST_STAFF, LOADTEST_AUDITORS (how many of each run), LOADTEST_THINK (think-time scale),
LOADTEST_ARRIVAL (principals sign in spread over this many seconds), LOADTEST_HOSTS (the
gunicorn instances, comma-separated; every request goes to the next one, see Balancer).

The portal runs with its production settings behind what would be a TLS-terminating load
balancer: every request carries ``X-Forwarded-Proto: https`` and, for posts, the page's
origin, and the session and CSRF cookies (marked Secure) are sent back over the plain
connection to 127.0.0.1.

Principals log in, open their checklist, edit their plot and their production line through
the edit forms, import a 20-row production file (template, upload and preview, confirm) and
submit their school's year; while their year is submitted they only read. Staff open the
grid of submitted schools, review one and approve it or (one in three) return it with a
reason, so that school's principal edits and submits again. Auditors read the summary and
download the summary PDF and school sheets. Every change the portal confirms (a redirect
and its success message) goes into the ledger that verify.py compares with the database.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import random
import re
import threading
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import htmlforms as hf
import openpyxl
import timing
from locust import HttpUser, between, events, task
from locust.exception import StopUser

USERS = json.loads(Path(os.environ.get("LOADTEST_USERS", "var/loadtest/users.json")).read_text())
YEAR = USERS["year"]
PASSWORD = USERS["password"]
THINK = float(os.environ.get("LOADTEST_THINK", "1"))
# Principals do not all sign in at the same second: each starts at a random moment within
# this many seconds of being spawned (run.py: the first 40% of the steady load).
ARRIVAL = float(os.environ.get("LOADTEST_ARRIVAL", "0"))
IMPORT_ROWS = 20
IMPORT_PRODUCT = "负载导入产品"
SCHOOL_NAME_PART = "负载测试"
# Reloads of a PDF's "being made" page before the auditor gives up (a failure): 5 s apart.
PDF_WAITS = 24

_principal_numbers = itertools.count()
_staff_numbers = itertools.count()
_auditor_numbers = itertools.count()
_claims: set[int] = set()  # submissions a staff member is reviewing (no two review the same)
_lock = threading.Lock()

# The record of what the portal said it saved. Per school code: the plot's and the line's
# values (``value``: the last confirmed; ``maybe``: later attempts whose answer never came),
# the imports confirmed (rows) and those whose answer never came; per submission: the
# workflow steps confirmed and those uncertain.
LEDGER: dict = {
    "year": YEAR,
    "schools": {},
    "submissions": {},
    "requests_without_answer": 0,
    "said_not_saved": 0,
    "sent_to_other_instance": 0,
}


def said_not_saved(response) -> bool:
    """The portal's 503 for a database it could not reach says the change was not saved
    (header X-Change-Saved: no): the ledger drops the change, so verify.py holds the portal to
    it (the change must not be in the database)."""
    if response.status_code == 503 and response.headers.get("X-Change-Saved") == "no":
        LEDGER["said_not_saved"] += 1
        return True
    return False


def _school_record(code: str) -> dict:
    return LEDGER["schools"].setdefault(
        code,
        {
            "plot": {"value": None, "maybe": []},
            "line": {"value": None, "maybe": []},
            "imports": [],
            "imports_uncertain": [],
            "import_batches_tried": 0,
        },
    )


def _submission_record(pk: int, school: str | None = None) -> dict:
    record = LEDGER["submissions"].setdefault(str(pk), {"school": school, "steps": [], "uncertain": []})
    if school and not record["school"]:
        record["school"] = school
    return record


@events.test_stop.add_listener
def _write_ledger(environment, **_kwargs):
    path = os.environ.get("LOADTEST_LEDGER")
    LEDGER["sent_to_other_instance"] = RETRIED_ELSEWHERE["count"]
    if path:
        Path(path).write_text(json.dumps(LEDGER, ensure_ascii=False, indent=1, default=str))


_requests_log = {"handle": None}


@events.request.add_listener
def _log_request(request_type, name, response_time, response_length, exception=None, response=None, **_kwargs):
    """Every request with its time, then the server's account of it (:func:`timing.server_timing`),
    for run.py's minute-by-minute table and its table of where the time went."""
    path = os.environ.get("LOADTEST_REQUESTS")
    if not path:
        return
    if _requests_log["handle"] is None:
        _requests_log["handle"] = open(path, "a", buffering=1)  # noqa: SIM115 - open for the whole run
    client = f"{time.time():.3f}\t{round(response_time or 0)}\t{int(exception is not None)}\t{name}"
    _requests_log["handle"].write(f"{client}\t{timing.server_timing(response)}\n")


@events.request.add_listener
def _log_failure(request_type, name, response_time, response_length, exception=None, response=None, **_kwargs):
    """Each failed request with its time (run.py sets them against the faults' times)."""
    path = os.environ.get("LOADTEST_FAILURES")
    if exception is None or not path:
        return
    status = getattr(response, "status_code", None)
    with open(path, "a") as handle:
        handle.write(
            json.dumps(
                {
                    "t": time.time(),
                    "name": name,
                    "status": status,
                    "error": str(exception)[:300],
                    # no answer at all: what the connection said (reset, closed, timed out)
                    "cause": repr(getattr(response, "error", None))[:300] if status == 0 else None,
                    "ms": round(response_time or 0),
                },
                ensure_ascii=False,
            )
            + "\n"
        )


class Unanswered(Exception):
    """The portal gave no usable answer: whether the change was made is unknown."""


class _Refused(Exception):
    """The instance refused the connection: the request never reached it."""


class Balancer:
    """What a load balancer in front of the instances does: each request goes to the next
    instance in turn (no sticky sessions: the session, the CSRF token and an upload between
    preview and confirm must work on any instance), under the balancer's one address (the Host
    header). An instance that refuses connections is left out for 10 s and the request, which
    never reached it, is sent to the next one (nginx's passive health check and
    proxy_next_upstream on a refused connection); a request an instance accepted and never
    answered is not sent again (it may have been done) and counts as failed."""

    DOWN_FOR = 10.0

    def __init__(self, hosts: list[str]):
        self.hosts = hosts
        self.down: dict[str, float] = {}
        self._turn = itertools.count()

    def order(self) -> list[str]:
        first = next(self._turn) % len(self.hosts)
        turn = self.hosts[first:] + self.hosts[:first]
        now = time.time()
        up = [host for host in turn if self.down.get(host, 0) <= now]
        return up + [host for host in turn if host not in up]  # all down: try them anyway

    def refused(self, host: str) -> None:
        self.down[host] = time.time() + self.DOWN_FOR


BALANCER = Balancer([h.rstrip("/") for h in os.environ.get("LOADTEST_HOSTS", "http://127.0.0.1:8765").split(",")])
RETRIED_ELSEWHERE = {"count": 0}


def _was_refused(response) -> bool:
    error = getattr(response, "error", None)
    return (
        response.status_code == 0
        and error is not None
        and ("NewConnectionError" in repr(error) or "Connection refused" in str(error))
    )


class PortalUser(HttpUser):
    abstract = True
    host = "http://127.0.0.1:8765"

    def on_start(self):
        address = BALANCER.hosts[0].split("://", 1)[1]  # the balancer's address, whichever instance answers
        origin = "https://" + address
        self.client.headers.update(
            {
                "X-Forwarded-Proto": "https",
                "Origin": origin,
                "Referer": origin + "/",
                "Host": address,
                "Accept-Language": "zh-hans",
            }
        )
        if not os.environ.get("LOADTEST_KEEP_ALIVE"):
            # A new connection for every request, as nginx talks to its upstream servers by
            # default (and as the sync workers of earlier runs answered anyway): a kept-alive
            # connection the server closes while a request is on its way fails that request.
            self.client.headers["Connection"] = "close"

    def think(self):
        time.sleep(self.wait_time() * THINK)

    # One request; a non-2xx/3xx answer is a failure under its kind ``name``.
    def call(self, method: str, path: str, name: str, *, ok=(200, 302), **kwargs):
        for cookie in self.client.cookies:  # Secure cookies go back over the balancer's plain hop
            cookie.secure = False
        hosts = BALANCER.order()
        for host in hosts:
            try:
                with self.client.request(
                    method, host + path, name=name, allow_redirects=False, catch_response=True, **kwargs
                ) as response:
                    if _was_refused(response) and host != hosts[-1]:
                        raise _Refused(host)  # not reported: sent to the next instance
                    if _was_refused(response):
                        BALANCER.refused(host)
                    if response.status_code not in ok:
                        response.failure(f"{response.status_code} (expected {ok})")
                    return response
            except _Refused:
                BALANCER.refused(host)
                RETRIED_ELSEWHERE["count"] += 1
        raise AssertionError("unreachable")

    def get(self, path, name=None, **kwargs):
        return self.call("GET", path, name or path, **kwargs)

    def post(self, path, name, data, **kwargs):
        return self.call("POST", path, name, data=data, **kwargs)

    def follow(self, response, name):
        """The page a redirect leads to (where the success message is shown)."""
        location = response.headers.get("Location", "")
        if response.status_code != 302 or not location:
            raise Unanswered(f"no redirect ({response.status_code})")
        if "://" in location:  # an absolute address: the balancer's; the path goes to an instance
            parts = urlsplit(location)
            location = parts.path + (f"?{parts.query}" if parts.query else "")
        return self.get(location, name)

    def login(self, username: str):
        page = self.get("/login/", "GET /login/")
        form = hf.form_with(page.text, "username") if page.status_code == 200 else None
        if form is None:
            raise StopUser()
        form.fields.update(username=username, password=PASSWORD)
        response = self.post("/login/", "POST /login/", form.fields, ok=(302,))
        if response.status_code != 302:
            raise StopUser()
        self.follow(response, "GET / (dashboard)")


def _money(value: float) -> str:
    return str(Decimal(str(value)).quantize(Decimal("0.01")))


class Principal(PortalUser):
    fixed_count = int(os.environ.get("LOADTEST_PRINCIPALS", "300"))
    wait_time = between(4, 12)

    def on_start(self):
        super().on_start()
        index = next(_principal_numbers)
        if index >= len(USERS["principals"]):
            raise StopUser()
        self.me = USERS["principals"][index]
        self.code = self.me["school"]
        self.record = _school_record(self.code)
        time.sleep(random.uniform(0, ARRIVAL))
        self.login(self.me["username"])

    @task
    def work(self):
        dashboard = self.get(f"/?year={YEAR}", "GET / (checklist)")
        submit = hf.form_with(dashboard.text, "next", action_contains="/submit/") if dashboard.status_code == 200 else None
        if submit is None:
            # Submitted or approved: the principal looks in now and then until the bureau
            # returns the year.
            time.sleep(random.uniform(20, 60) * THINK)
            page = random.choice(
                [
                    (f"/labor-bases/?year={YEAR}", "GET /labor-bases/"),
                    (f"/labor-bases/production/?year={YEAR}", "GET /labor-bases/production/"),
                    (f"/api/labor-bases/production/?year={YEAR}", "GET /api/labor-bases/production/"),
                    (f"/api/submissions/?year={YEAR}", "GET /api/submissions/"),
                ]
            )
            self.get(*page)
            return
        self.think()
        self.get(f"/labor-bases/?year={YEAR}", "GET /labor-bases/")
        self.think()
        self.edit_plot()
        self.think()
        self.edit_line()
        self.think()
        self.import_lines()
        self.think()
        dashboard = self.get(f"/?year={YEAR}", "GET / (checklist)")
        submit = hf.form_with(dashboard.text, "next", action_contains="/submit/")
        if submit is not None:
            self.think()
            self.submit(submit)

    def edit_plot(self):
        path = f"/labor-bases/plots/{self.me['plot']}/edit/"
        page = self.get(path, "GET /labor-bases/plots/[id]/edit/")
        form = hf.form_with(page.text, "area_mu") if page.status_code == 200 else None
        if form is None:
            return
        value = {"area_mu": _money(random.uniform(5, 15)), "crop": f"水稻{random.randint(1, 999)}"}
        form.fields.update(value)
        self._save(path, "POST /labor-bases/plots/[id]/edit/", form.fields, self.record["plot"], value)

    def edit_line(self):
        path = f"/labor-bases/production/{self.me['line']}/edit/"
        page = self.get(path, "GET /labor-bases/production/[id]/edit/")
        form = hf.form_with(page.text, "quantity") if page.status_code == 200 else None
        if form is None:
            return
        value = {"quantity": _money(random.uniform(500, 1500)), "unit_price": _money(random.uniform(2, 5))}
        form.fields.update(value)
        self._save(path, "POST /labor-bases/production/[id]/edit/", form.fields, self.record["line"], value)

    def _save(self, path, name, fields, slot, value):
        # Written down before sending: if no answer comes, the value may or may not be saved.
        slot["maybe"].append(value)
        response = self.post(path, name, fields)
        if response.status_code == 302:  # the edit views redirect only after saving
            slot["value"], slot["maybe"] = value, []
            try:
                page = self.follow(response, name.replace("POST", "GET") + " → list")
            except Unanswered:
                return
            if page.status_code == 200 and ("success", "已保存。") not in hf.messages(page.text):
                page.failure(f"saved without its message: {hf.messages(page.text)}")
        elif response.status_code in (200, 400):
            slot["maybe"].remove(value)
            response.failure(f"form refused: {hf.errors(response.text)[:2]}")
        elif said_not_saved(response):
            slot["maybe"].remove(value)
        else:
            LEDGER["requests_without_answer"] += 1

    def import_lines(self):
        path = "/excel/labor_production/import/"
        page = self.get(f"{path}?year={YEAR}", "GET /excel/[kind]/import/")
        form = hf.form_with(page.text, "file") if page.status_code == 200 else None
        template = self.get("/excel/labor_production/template.xlsx", "GET /excel/[kind]/template.xlsx")
        if form is None or template.status_code != 200:
            return
        self.record["import_batches_tried"] += 1
        batch = f"{self.code}-{self.record['import_batches_tried']:03d}"
        rows = [
            {
                "product": f"{IMPORT_PRODUCT}{n:02d}",
                "grade": batch,
                "unit": "kg",
                "quantity": _money(random.uniform(10, 500)),
                "unit_price": _money(random.uniform(1, 40)),
            }
            for n in range(1, IMPORT_ROWS + 1)
        ]
        book = openpyxl.load_workbook(io.BytesIO(template.content))
        sheet = book.worksheets[0]
        # By the template's own headers (its columns change as the portal grows): the plot is left
        # empty, which the import accepts.
        headers = [cell.value for cell in sheet[1]]
        for row in rows:
            values = {
                "基地名称": self.me["base"],
                "年度": YEAR,
                "产品": row["product"],
                "等级/规格": row["grade"],
                "产量": float(row["quantity"]),
                "计量单位": "千克",
                "平均单价(元)": float(row["unit_price"]),
                "备注": "负载测试",
            }
            sheet.append([values.get(header, None) for header in headers])
        data = io.BytesIO()
        book.save(data)
        fields = {k: v for k, v in form.fields.items() if k != "file"}
        fields["year"] = str(YEAR)
        self.think()
        preview = self.call(
            "POST",
            path,
            "POST /excel/[kind]/import/ (preview)",
            ok=(200,),
            data=fields,
            files={
                "file": (f"{batch}.xlsx", data.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            },
        )
        confirm = hf.form_with(preview.text, "upload_id") if preview.status_code == 200 else None
        if confirm is None:
            if preview.status_code == 200:
                preview.failure(f"preview refused the file: {hf.errors(preview.text)[:2]}")
            return
        self.think()
        batch_record = {"batch": batch, "rows": rows}
        self.record["imports_uncertain"].append(batch_record)
        response = self.post(path, "POST /excel/[kind]/import/ (confirm)", confirm.fields, ok=(302,))
        if response.status_code in (200, 400):
            self.record["imports_uncertain"].remove(batch_record)  # refused: all-or-nothing, nothing saved
            response.failure(f"confirm refused: {hf.errors(response.text)[:2]}")
            return
        if said_not_saved(response):
            self.record["imports_uncertain"].remove(batch_record)
            return
        try:
            page = self.follow(response, "GET /excel/[kind]/import/ → after confirm")
        except Unanswered:
            LEDGER["requests_without_answer"] += 1
            return
        said = [text for level, text in hf.messages(page.text) if level == "success"]
        if any(f"新增 {IMPORT_ROWS} 行" in text for text in said):
            self.record["imports_uncertain"].remove(batch_record)
            self.record["imports"].append(batch_record)
        elif page.status_code == 200:
            page.failure(f"confirm did not report {IMPORT_ROWS} new rows: {hf.messages(page.text)}")

    def submit(self, form):
        pk = int(re.search(r"/submissions/(\d+)/submit/", form.action).group(1))
        step(self, _submission_record(pk, self.code), "submit", form, "GET / (after submit)")


def step(user: PortalUser, record: dict, action: str, form: hf.Form, then: str) -> None:
    """Post a workflow step (submit, approve, return); the ledger keeps it as confirmed when
    the page it leads to says so, drops it when refused and keeps it as uncertain otherwise."""
    entry = {"action": action, "at": time.time()}
    record["uncertain"].append(entry)
    response = user.post(form.action, f"POST /submissions/[id]/{action}/", form.fields, ok=(302,))
    if said_not_saved(response):
        record["uncertain"].remove(entry)
        return
    try:
        page = user.follow(response, then)
    except Unanswered:
        LEDGER["requests_without_answer"] += 1
        return
    said = hf.messages(page.text)
    if any(level == "success" for level, _text in said):
        record["uncertain"].remove(entry)
        record["steps"].append(entry)
    elif page.status_code == 200:
        record["uncertain"].remove(entry)  # refused with a message: nothing changed
        page.failure(f"{action} refused: {said}")


class Staff(PortalUser):
    fixed_count = int(os.environ.get("LOADTEST_STAFF", "10"))
    wait_time = between(2, 6)

    def on_start(self):
        super().on_start()
        index = next(_staff_numbers)
        if index >= len(USERS["staff"]):
            raise StopUser()
        self.login(USERS["staff"][index])

    @task(6)
    def review(self):
        # The grid of submitted schools, searched by the load-test schools' name (the demo
        # county's own submitted schools are left alone).
        grid = self.get(f"/?year={YEAR}&status=submitted&q={SCHOOL_NAME_PART}", "GET / (grid, submitted)")
        if grid.status_code != 200:
            return
        waiting = [int(pk) for pk in re.findall(r'href="/submissions/(\d+)/"', grid.text)]
        random.shuffle(waiting)
        with _lock:
            pk = next((p for p in waiting if p not in _claims), None)
            if pk is not None:
                _claims.add(pk)
        if pk is None:
            self.browse()
            return
        try:
            self.think()
            detail = self.get(f"/submissions/{pk}/", "GET /submissions/[id]/")
            if detail.status_code != 200:
                return
            approve = hf.form_with(detail.text, "csrfmiddlewaretoken", action_contains="/approve/")
            give_back = hf.form_with(detail.text, "reason", action_contains="/return/")
            if approve is None or give_back is None:
                return  # no longer waiting for review (another step came first)
            self.think()
            action, form = ("return", give_back) if random.random() < 1 / 3 else ("approve", approve)
            if action == "return":
                form.fields["reason"] = "负载测试：请核对产品产销后重新上报。"
            step(self, _submission_record(pk), action, form, "GET /submissions/[id]/ (after review)")
        finally:
            with _lock:
                _claims.discard(pk)

    @task(2)
    def browse(self):
        self.get(
            *random.choice(
                [
                    (f"/?year={YEAR}&page={random.randint(1, 7)}", "GET / (grid, page)"),
                    (f"/schools/?year={YEAR}", "GET /schools/"),
                    (f"/labor-bases/plots/?year={YEAR}", "GET /labor-bases/plots/"),
                    (f"/labor-bases/production/?year={YEAR}", "GET /labor-bases/production/"),
                    (f"/reports/{YEAR}/", "GET /reports/[year]/"),
                    (f"/api/submissions/?year={YEAR}", "GET /api/submissions/"),
                    (f"/api/labor-bases/production/?year={YEAR}", "GET /api/labor-bases/production/"),
                ]
            )
        )


class Auditor(PortalUser):
    fixed_count = int(os.environ.get("LOADTEST_AUDITORS", "5"))
    wait_time = between(5, 15)

    def on_start(self):
        super().on_start()
        index = next(_auditor_numbers)
        if index >= len(USERS["auditors"]):
            raise StopUser()
        self.login(USERS["auditors"][index])

    @task(2)
    def summary(self):
        self.get(f"/reports/{YEAR}/", "GET /reports/[year]/")
        self.think()
        self.download(f"/reports/{YEAR}/summary.pdf", "GET /reports/[year]/summary.pdf")

    @task(3)
    def school_sheet(self):
        school = random.choice(USERS["principals"])["school_id"]
        self.download(f"/reports/{YEAR}/schools/{school}.pdf", "GET /reports/[year]/schools/[id].pdf")

    def download(self, path: str, name: str) -> None:
        """A PDF the worker has never made yet is answered 202 with a page that reloads itself
        after ``Retry-After`` seconds; the auditor's browser waits and asks again, as here."""
        response = self.call("GET", path, name, ok=(200, 202))
        for _attempt in range(PDF_WAITS):
            if response.status_code != 202:
                return
            time.sleep(int(response.headers.get("Retry-After", "5")) * THINK)
            response = self.call("GET", path, f"{name} (reloaded while made)", ok=(200, 202))
        if response.status_code == 202:
            response.failure(f"still being made after {PDF_WAITS} reloads")
