"""`make loadtest`: the portal under load on this machine, with its production settings.

1. A scratch PostgreSQL database (default ws_loadtest; its name must contain "loadtest") is
   dropped, created, migrated and given the demo county plus the load-test schools and users
   (build_data.py); static files are collected; a scratch Redis database is flushed.
2. gunicorn serves the portal (DJANGO_ENV=production, Redis cache, whitenoise): by default two
   instances on two ports (8765, 8766) with 2 workers each, behind the same database and Redis,
   and Locust spreads every user's requests over both as a balancer would (--instances 1 for
   one instance with 4 workers). A PDF worker (manage.py pdf_worker) runs beside them when the
   portal has that command.
3. Warm-up: every page kind the test reads is requested a few times (not measured).
4. Locust (locustfile.py, headless) starts the users over a ramp (principals sign in at
   random moments over the first 40% of the steady load) and keeps them working for the run
   time; with --faults it kills a gunicorn worker, restarts PostgreSQL, stops Redis for a few
   seconds and (with two instances) kills one whole instance while they work (see faults()).
5. The results: per request kind count, failures, median, p95 and requests per second,
   checked against the targets; then verify.py compares what the portal confirmed with the
   database.

Exit status: 0 all good; 1 the database does not hold what the portal confirmed; 2 requests
failed; 3 a latency target was missed. Figures and the table are written to
var/loadtest/ (summary.md, results_*.csv, ledger.json, failures.jsonl, gunicorn-<port>.log,
pdf_worker.log).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
HERE = Path(__file__).resolve().parent
OUT = ROOT / "var" / "loadtest"
PY = sys.executable

# Targets (README, "Load test").
PAGE_P95_MS = 300
EXCEL_P95_MS = 3000
EXCEL_KINDS = ("POST /excel/[kind]/import/ (preview)", "POST /excel/[kind]/import/ (confirm)")
# Downloads that are documents rather than pages: reported, not held to the page target.
DOCUMENT_SUFFIXES = (".pdf", ".xlsx")


def log(message: str) -> None:
    print(f"[loadtest {time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(args: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, cwd=ROOT, check=True, **kwargs)


def prepare(env: dict, database_url: str, counts: dict) -> None:
    name = database_url.rsplit("/", 1)[1]
    if "loadtest" not in name:
        raise SystemExit(f"the load test drops and recreates its database; {name!r} does not contain 'loadtest'")
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    log(f"database {name}: drop, create, migrate")
    psql_rows(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql_rows(admin_url, f'CREATE DATABASE "{name}"')
    run([PY, "manage.py", "migrate", "--noinput", "-v0"], env)
    # Static files first: locking the demo's years renders their PDFs, which name the hashed files.
    run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    log("demo county (load_demo) and the load-test schools and users")
    run([PY, "manage.py", "load_demo"], env, stdout=subprocess.DEVNULL)
    run(
        [
            PY,
            str(HERE / "build_data.py"),
            "--principals",
            str(counts["principals"]),
            "--staff",
            str(counts["staff"]),
            "--auditors",
            str(counts["auditors"]),
            "--out",
            str(OUT / "users.json"),
        ],
        env,
    )
    run([PY, "-c", "import os, redis; redis.Redis.from_url(os.environ['REDIS_URL']).flushdb()"], env)


# Tables autovacuum would analyze now: more rows changed since their last ANALYZE than its
# threshold plus its share of the table (PostgreSQL's own rule, with the server's settings).
DUE_FOR_ANALYZE = """
SELECT quote_ident(schemaname) || '.' || quote_ident(relname) FROM pg_stat_user_tables
 WHERE n_mod_since_analyze > current_setting('autovacuum_analyze_threshold')::float
       + current_setting('autovacuum_analyze_scale_factor')::float * GREATEST(n_live_tup, 0)
 ORDER BY 1
"""


def psql_rows(url: str, sql: str) -> list[str]:
    out = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-Atq", "-c", sql], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"psql failed ({sql.split()[0]} on {url.rsplit('/', 1)[1]}): {out.stderr.strip()}")
    return [row for row in out.stdout.splitlines() if row]


def autovacuum_on(url: str) -> bool:
    """The portal's own check (``workstudy.W001``) would pass: every statistics setting is on."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from workstudy.checks import STATISTICS_SQL

    return set(psql_rows(url, STATISTICS_SQL)[0].split("|")) == {"on"}  # psql -A: fields joined by |


def analyze_as_autovacuum(url: str, done: list, stop: threading.Event, every: float = 60.0) -> None:
    """What autovacuum's analyze does on a production server, for a server where it is off (as
    on this machine): every ``every`` seconds (its default naptime), ANALYZE the tables its rule
    says are due. Without it, tables filled by the build or by the run's imports keep the
    statistics of an empty table and every page's joins read them in full."""
    while not stop.wait(every):
        tables = psql_rows(url, DUE_FOR_ANALYZE)
        if tables:
            psql_rows(url, "ANALYZE " + ", ".join(tables))
            done.append((time.time(), tables))


def ensure_redis(env: dict) -> None:
    ping = [PY, "-c", "import os, redis; redis.Redis.from_url(os.environ['REDIS_URL']).ping()"]
    if subprocess.run(ping, env=env, capture_output=True).returncode == 0:
        return
    start_redis()
    time.sleep(1)
    if subprocess.run(ping, env=env, capture_output=True).returncode != 0:
        raise SystemExit(f"Redis is not reachable on {env['REDIS_URL']} (install redis-server or set LOADTEST_REDIS_URL)")


def start_redis() -> None:
    config = Path("/etc/redis/redis.conf")
    command = ["redis-server", str(config), "--daemonize", "yes"] if config.exists() else ["redis-server", "--daemonize", "yes"]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def gthread_flags(threads: int) -> list[str]:
    """As the README's production command: a threaded worker takes a connection only when one of
    its threads is free (``--worker-connections`` = threads), so a request waits in the shared
    listen queue for whichever worker frees up first, not behind the slow requests of the worker
    that accepted it; and it closes each connection after its answer (``--keep-alive 0``: the
    balancer opens one per request), so an idle kept connection never holds a thread's place."""
    return ["--worker-connections", str(threads), "--keep-alive", "0"] if threads > 1 else []


class Server:
    """One gunicorn instance (a master and its workers) in its own process group."""

    def __init__(self, env: dict, port: int, workers: int, threads: int = 1):
        self.env, self.port, self.workers, self.threads = env, port, workers, threads
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.logfile = open(OUT / f"gunicorn-{self.port}.log", "a")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [
                str(Path(PY).parent / "gunicorn"),
                "config.wsgi",
                "--workers",
                str(self.workers),
                "--threads",  # more than 1: gunicorn's threaded worker (gthread)
                str(self.threads),
                *gthread_flags(self.threads),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--access-logfile",
                "-",
            ],
            env=self.env,
            cwd=ROOT,
            stdout=self.logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{self.port}/health/", headers={"X-Forwarded-Proto": "https"})
                if urllib.request.urlopen(request, timeout=2).status == 200:
                    log(f"gunicorn up on 127.0.0.1:{self.port}, {self.workers} workers (pid {self.process.pid})")
                    return
            except OSError:
                time.sleep(0.5)
        raise SystemExit(f"gunicorn did not answer /health/ within 60 s; see var/loadtest/gunicorn-{self.port}.log")

    def worker_pids(self) -> list[int]:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True)
        return [int(pid) for pid in out.stdout.split()]

    def kill(self) -> None:
        """The whole instance gone at once (the machine lost): SIGKILL to master and workers."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.logfile.close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if getattr(self, "logfile", None):
            self.logfile.close()


class PdfWorker:
    """``manage.py pdf_worker`` beside gunicorn, when the portal has that command (PDFs of open
    years made outside the web workers). Without it the web workers render PDFs themselves and
    this does nothing."""

    COMMAND = ROOT / "reports" / "management" / "commands" / "pdf_worker.py"

    def __init__(self, env: dict):
        self.env = env
        self.process: subprocess.Popen | None = None

    @property
    def available(self) -> bool:
        return self.COMMAND.exists()

    def start(self) -> None:
        if not self.available:
            log("no pdf_worker command in this checkout: the web workers render the PDFs")
            return
        self.logfile = open(OUT / "pdf_worker.log", "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [PY, "manage.py", "pdf_worker"],
            env=self.env,
            cwd=ROOT,
            stdout=self.logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log(f"pdf_worker started (pid {self.process.pid})")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # finishes the PDF it is making
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if getattr(self, "logfile", None):
            self.logfile.close()


def user_counts(args) -> dict[str, int]:
    """How many principals, staff and auditors run: as given (0 included: ``--auditors 0`` is a
    run without PDF downloads), else the full or quick scenario's."""
    defaults = {"principals": (300, 30), "staff": (10, 3), "auditors": (5, 2)}
    return {
        role: given if (given := getattr(args, role)) is not None else full_quick[bool(args.quick)]
        for role, full_quick in defaults.items()
    }


def _plan(users: dict) -> list[tuple[str, list[tuple[str, str]]]]:
    """The pages each role reads: (username, [(the request's kind as the scenario names it,
    path)]). GET only: nothing is written."""
    year = users["year"]
    principal = users["principals"][-1]
    roles = [
        (
            [principal["username"]],
            [
                ("GET / (checklist)", f"/?year={year}"),
                ("GET /labor-bases/", f"/labor-bases/?year={year}"),
                ("GET /labor-bases/plots/[id]/edit/", f"/labor-bases/plots/{principal['plot']}/edit/"),
                ("GET /labor-bases/production/[id]/edit/", f"/labor-bases/production/{principal['line']}/edit/"),
                ("GET /excel/[kind]/import/", f"/excel/labor_production/import/?year={year}"),
                ("GET /excel/[kind]/template.xlsx", "/excel/labor_production/template.xlsx"),
                ("GET /labor-bases/production/", f"/labor-bases/production/?year={year}"),
                ("GET /api/submissions/", f"/api/submissions/?year={year}"),
                ("GET /api/labor-bases/production/", f"/api/labor-bases/production/?year={year}"),
            ],
        ),
        (
            users["staff"],
            [
                ("GET / (grid, submitted)", f"/?year={year}&status=submitted"),
                ("GET / (grid, page)", f"/?year={year}&page=2"),
                ("GET /schools/", f"/schools/?year={year}"),
                ("GET /labor-bases/plots/", f"/labor-bases/plots/?year={year}"),
                ("GET /reports/[year]/", f"/reports/{year}/"),
            ],
        ),
        (
            users["auditors"],
            [
                ("GET /reports/[year]/", f"/reports/{year}/"),
                ("GET /reports/[year]/summary.pdf", f"/reports/{year}/summary.pdf"),
                ("GET /reports/[year]/schools/[id].pdf", f"/reports/{year}/schools/{principal['school_id']}.pdf"),
            ],
        ),
    ]
    return [(names[-1], pages) for names, pages in roles if names]  # a role run by nobody is not timed


def _signed_in(port: int, username: str, users: dict, timings: dict | None = None):
    """A session signed in as ``username`` on the instance at ``port``, and a GET on it. With
    ``timings``, the sign-in's two requests are timed into it."""
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    import htmlforms as hf
    import requests

    base = f"http://127.0.0.1:{port}"
    session = requests.Session()
    session.headers.update(
        {"X-Forwarded-Proto": "https", "Origin": f"https://127.0.0.1:{port}", "Referer": f"https://127.0.0.1:{port}/"}
    )

    def timed(name, call):
        for cookie in session.cookies:  # Secure cookies go back over the plain hop
            cookie.secure = False
        began = time.perf_counter()
        response = call()
        if timings is not None:
            timings.setdefault(name, []).append((time.perf_counter() - began) * 1000)
        return response

    def get(path, name=None):
        return timed(name, lambda: session.get(base + path, allow_redirects=False, timeout=120))

    form = hf.form_with(get("/login/", "GET /login/").text, "username")
    form.fields.update(username=username, password=users["password"])
    timed("POST /login/", lambda: session.post(base + "/login/", data=form.fields, allow_redirects=False, timeout=60))
    return get


def warm_up(port: int, users: dict) -> None:
    """Each page kind a few times per role, so every worker has imported and cached what it
    needs before anything is measured (GET only: nothing is written)."""
    for username, pages in _plan(users):
        get = _signed_in(port, username, users)
        for _round in range(4):  # up to four workers: most see each page at least once
            for _name, path in pages:
                get(path)
    log("warm-up done (each page kind 4 times per role, not measured)")


ALONE_ROUNDS = 10


def alone(port: int, users: dict, rounds: int = ALONE_ROUNDS) -> dict[str, list[float]]:
    """The single-user figures of the run: after the warm-up and before the load, one user at a
    time signs in and reads each page kind of its role, ``rounds`` times, one request at a time
    (milliseconds per kind). Changes are not measured alone: they would write data the run's
    ledger does not know."""
    timings: dict[str, list[float]] = {}
    for _round in range(rounds):
        for username, pages in _plan(users):
            get = _signed_in(port, username, users, timings)
            for name, path in pages:
                get(path, name)
    log(f"single user: each page kind {rounds} times, one request at a time")
    return timings


def faults(servers: list[Server], start_at: float, duration: float, timeline: list, stop: threading.Event) -> None:
    """Kill a worker, restart PostgreSQL, stop Redis: at 20%, 45% and 70% of the steady load;
    with two instances, kill the second whole instance at 85% and start it again 10 s later
    (as a supervisor would)."""
    server = servers[0]

    def at(fraction: float) -> bool:
        wait = start_at + duration * fraction - time.time()
        return not stop.wait(max(0, wait))

    if at(0.20):
        # A sync worker is running only while it serves a request: wait (up to 10 s) until
        # one is, and kill that one in the middle of its request.
        busy, deadline = None, time.time() + 10
        while busy is None and time.time() < deadline:
            busy = next((pid for pid in server.worker_pids() if _state(pid) == "R"), None)
            time.sleep(0.005)
        busy = busy or max(server.worker_pids(), key=_cpu_ticks)
        os.kill(busy, signal.SIGKILL)
        timeline.append((time.time(), time.time(), f"SIGKILL to gunicorn worker {busy} while it served a request"))
        log(f"fault: killed gunicorn worker {busy}")
    if at(0.45):
        began = time.time()
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"], check=False)
        timeline.append((began, time.time(), "PostgreSQL restarted (pg_ctlcluster 15 main restart)"))
        log(f"fault: PostgreSQL restarted in {time.time() - began:.1f} s")
    if at(0.70):
        began = time.time()
        subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], check=False, capture_output=True)
        stop.wait(5)
        start_redis()
        timeline.append((began, time.time(), "Redis stopped (shutdown nosave), started again after 5 s"))
        log(f"fault: Redis down for {time.time() - began:.1f} s")
    if len(servers) > 1 and at(0.85):
        victim = servers[-1]
        began = time.time()
        victim.kill()
        log(f"fault: gunicorn instance on port {victim.port} killed (master and workers, SIGKILL)")
        stop.wait(10)
        victim.start()
        timeline.append(
            (
                began,
                time.time(),
                f"gunicorn instance on port {victim.port} killed (SIGKILL to master "
                f"and workers), started again after {time.time() - began:.0f} s",
            )
        )


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return ""


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return 0


def read_stats(prefix: Path) -> list[dict]:
    with open(f"{prefix}_stats.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def _alone_cells(name: str, alone: dict[str, list[float]] | None) -> str:
    if alone is None:
        return ""
    times = alone.get(name)
    if not times:
        return " – | – |"
    return f" {statistics.median(times):.0f} | {_percentile(sorted(times), 95):.0f} |"


def summarise(
    rows: list[dict], seconds: float, command: str, alone: dict[str, list[float]] | None = None
) -> tuple[str, list[str], int]:
    """The results table (markdown) and the targets missed. With ``alone`` (see :func:`alone`),
    two more columns: each kind's median and p95 for a single user, before the load."""
    head_alone = " alone: median ms | alone: p95 ms |" if alone is not None else ""
    rule_alone = "---:|---:|" if alone is not None else ""
    lines = [
        f"| request | count | failures | median ms | p95 ms | req/s |{head_alone}",
        f"|---|---:|---:|---:|---:|---:|{rule_alone}",
    ]
    missed, failures = [], 0
    total = None
    for row in rows:
        name = row["Name"]
        count, failed = int(row["Request Count"]), int(row["Failure Count"])
        median, p95 = row["50%"], row["95%"]
        if name == "Aggregated":
            total = row
            continue
        failures += failed
        lines.append(
            f"| `{name}` | {count} | {failed} | {median} | {p95} | {float(row['Requests/s']):.2f} |{_alone_cells(name, alone)}"
        )
        p95_ms = float(p95) if p95 not in ("N/A", "") else 0
        if name in EXCEL_KINDS:
            if p95_ms > EXCEL_P95_MS:
                missed.append(f"{name}: p95 {p95_ms:.0f} ms > {EXCEL_P95_MS} ms")
        elif is_page(name) and p95_ms > PAGE_P95_MS:
            missed.append(f"{name}: p95 {p95_ms:.0f} ms > {PAGE_P95_MS} ms")
    if total is not None:
        lines.append(
            f"| **all** | {total['Request Count']} | {total['Failure Count']} | {total['50%']} | "
            f"{total['95%']} | {float(total['Requests/s']):.2f} |" + (" | |" if alone is not None else "")
        )
    head = f"Command: `{command}`; {seconds:.0f} s of load."
    return head + "\n\n" + "\n".join(lines) + "\n", missed, failures


def is_page(name: str) -> bool:
    """A request held to the page target (not an Excel upload, not a document download)."""
    return name not in EXCEL_KINDS and not name.split("?")[0].split(" (")[0].endswith(DOCUMENT_SUFFIXES)


def _cpu_times() -> tuple[int, int, int]:
    """(busy, total, stolen) jiffies of the whole machine since boot (Linux /proc/stat). Busy
    includes stolen: the time a virtual machine's host gave its cores to other guests while this
    one had work for them."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    stolen = fields[7] if len(fields) > 7 else 0
    return sum(fields) - idle, sum(fields), stolen


# Who used the CPU: the processes of each part of the stack (by the process trees the run
# started, or by name for the services it did not start).
ROLES = ("web", "database", "Locust", "PDF worker", "Redis")
STOLEN = "stolen by the host"


def _processes() -> dict[int, tuple[int, str, int]]:
    """pid -> (parent pid, command name, CPU jiffies used so far) of every process."""
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            head, tail = Path(entry.path, "stat").read_text().rsplit(")", 1)
        except OSError:
            continue
        fields = tail.split()
        table[int(entry.name)] = (int(fields[1]), head.split("(", 1)[1], int(fields[11]) + int(fields[12]))
    return table


def role_ticks(roots: dict[str, list[int]]) -> dict[str, int]:
    """CPU jiffies used so far by each role: the processes under ``roots[role]`` (the run's own
    children), PostgreSQL's and Redis's by name. A process that ended since the last sample
    takes its jiffies with it (gunicorn workers and database connections live all run long)."""
    table = _processes()
    owner = {pid: role for role, pids in roots.items() for pid in pids}
    used = dict.fromkeys(ROLES, 0)
    for pid, (_parent, name, ticks) in table.items():
        role, seen = None, set()
        walk = pid
        while walk and walk not in seen and role is None:
            seen.add(walk)
            role = owner.get(walk)
            walk = table.get(walk, (0, "", 0))[0]
        if role is None and name == "postgres":
            role = "database"
        elif role is None and name.startswith("redis-server"):
            role = "Redis"
        if role is not None:
            used[role] += ticks
    return used


def sample_cpu(samples: list, stop: threading.Event, roots=None, every: float = 5.0) -> None:
    """The machine's CPU use (share of all cores busy) every ``every`` seconds until ``stop``,
    with each role's share of all cores (``roots``: a callable giving the root pids of the run's
    own roles)."""
    try:
        last, last_roles = _cpu_times(), role_ticks(roots() if roots else {})
    except OSError:
        return
    while not stop.wait(every):
        now, now_roles = _cpu_times(), role_ticks(roots() if roots else {})
        busy, total = now[0] - last[0], now[1] - last[1]
        shares = {role: max(0, now_roles[role] - last_roles[role]) / total if total else 0.0 for role in ROLES}
        shares[STOLEN] = (now[2] - last[2]) / total if total else 0.0
        samples.append((time.time(), busy / total if total else 0.0, shares))
        last, last_roles = now, now_roles


def _percentile(values: list[int], pct: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def minute_report(requests_log: Path, started: float, cpu_samples: list, minute: float = 60.0) -> str:
    """Minute by minute: requests a second, the pages' median and p95 (the page target's
    requests), failures and the machine's CPU use — when the sign-ins of the morning come,
    when they are over, and whether the machine was the limit."""
    if not requests_log.exists():
        return ""
    buckets: dict[int, dict] = {}
    for line in requests_log.read_text().splitlines():
        t, ms, failed, name = line.split("\t")[:4]
        bucket = buckets.setdefault(int((float(t) - started) // minute), {"n": 0, "failed": 0, "pages": []})
        bucket["n"] += 1
        bucket["failed"] += int(failed)
        if is_page(name):
            bucket["pages"].append(int(ms))
    columns = (*ROLES, STOLEN)
    cpu: dict[int, list] = {}
    for t, share, shares in cpu_samples:
        cpu.setdefault(int((t - started) // minute), []).append((share, shares))
    lines = [
        "",
        "Minute by minute (pages: the requests held to the page target; CPU: the whole machine's "
        "share of its cores, then each part's, and the share a virtual machine's host gave to other "
        "guests while this one had work for it):",
        "",
        "| minute | requests/s | pages: median ms | pages: p95 ms | failures | CPU used | " + " | ".join(columns) + " |",
        "|---:|---:|---:|---:|---:|---:|" + "---:|" * len(columns),
    ]
    for index in sorted(buckets):
        bucket, pages = buckets[index], buckets[index]["pages"]
        median = _percentile(pages, 50) if pages else "-"
        p95 = _percentile(pages, 95) if pages else "-"
        parts = cpu.get(index, [])
        used = [f"{100 * sum(share for share, _ in parts) / len(parts):.0f}%"] if parts else ["-"]
        used += [f"{100 * sum(shares.get(role, 0.0) for _, shares in parts) / len(parts):.0f}%" if parts else "-"
                 for role in columns]
        lines.append(
            f"| {index + 1} | {bucket['n'] / minute:.1f} | {median} | {p95} | {bucket['failed']} | " + " | ".join(used) + " |"
        )
    return "\n".join(lines) + "\n"


def server_report(requests_log: Path) -> str:
    """Per kind, where a request's time went, from the portal's Server-Timing header: in the web
    worker (``app``), of which the thread's CPU and the database's statements; the rest of the
    client's time waited for a free worker thread (``queued``: the client's time less ``app``).
    ``app`` well above CPU + database is time the thread waited for a core or for its process's
    interpreter lock. Medians and p95s of each column separately."""
    if not requests_log.exists():
        return ""
    kinds: dict[str, dict[str, list[float]]] = {}
    for line in requests_log.read_text().splitlines():
        fields = line.split("\t")
        if len(fields) < 8 or not fields[4]:
            continue  # no answer, or an answer without the header
        _t, ms, _failed, name, app, cpu, db, statements = fields[:8]
        kind = kinds.setdefault(name, {"client": [], "app": [], "cpu": [], "db": [], "queued": [], "statements": []})
        for column, value in (("client", ms), ("app", app), ("cpu", cpu), ("db", db or "0"), ("statements", statements or "0")):
            kind[column].append(float(value))
        kind["queued"].append(max(0.0, float(ms) - float(app)))
    if not kinds:
        return ""

    def cell(values: list[float]) -> str:
        return f"{_percentile(values, 50):.0f} / {_percentile(values, 95):.0f}"

    lines = [
        "",
        "Where the time went (ms, median / p95 of each column; from the portal's Server-Timing header: "
        "`app` in the web worker, of which its thread's CPU and the database; `queued` the client's "
        "time less `app`, waiting for a free worker thread):",
        "",
        "| request | count | client | app | CPU | database | statements | queued |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in sorted(kinds):
        kind = kinds[name]
        lines.append(
            f"| `{name}` | {len(kind['client'])} | {cell(kind['client'])} | {cell(kind['app'])} | {cell(kind['cpu'])} | "
            f"{cell(kind['db'])} | {_percentile(kind['statements'], 50):.0f} | {cell(kind['queued'])} |"
        )
    return "\n".join(lines) + "\n"


def fault_report(timeline: list, failures_log: Path) -> str:
    if not timeline:
        return ""
    events = []
    if failures_log.exists():
        events = [json.loads(line) for line in failures_log.read_text().splitlines() if line.strip()]
    out = ["", "Faults and what users saw (each failed request counted under the fault just before it):", ""]
    starts = [began for began, _ended, _what in timeline] + [float("inf")]
    for index, (began, ended, what) in enumerate(timeline):
        near = [e for e in events if began - 1 <= e["t"] < starts[index + 1] - 1]
        out.append(f"- {what}: {len(near)} failed requests")
        kinds: dict[str, int] = {}
        for e in near:
            key = f"{e['name']}: {e['error'][:120]}"
            kinds[key] = kinds.get(key, 0) + 1
        for key, n in sorted(kinds.items(), key=lambda kv: -kv[1])[:8]:
            out.append(f"    - {n} x {key}")
        if near:
            out.append(f"    - last failure {max(e['t'] for e in near) - ended:.1f} s after the fault ended")
    return "\n".join(out) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description="Load test of the portal (README, Load test).")
    parser.add_argument(
        "--quick", action="store_true", help="about a minute: 30 principals, 3 staff, 2 auditors, shorter think times"
    )
    parser.add_argument("--duration", type=float, help="seconds of steady load (default 600; quick 45)")
    parser.add_argument("--principals", type=int)
    parser.add_argument("--staff", type=int)
    parser.add_argument("--auditors", type=int)
    parser.add_argument("--spawn-rate", type=float, help="users started per second (default 3; quick 2)")
    parser.add_argument(
        "--faults", action="store_true", help="kill a gunicorn worker, restart PostgreSQL, stop Redis during the load"
    )
    parser.add_argument("--port", type=int, default=8765, help="the first instance's port; the others follow it")
    parser.add_argument(
        "--instances", type=int, help="gunicorn instances on consecutive ports, one database and Redis (default 2; quick 1)"
    )
    parser.add_argument(
        "--workers", type=int, help="workers per instance (default: 4 in all, split over the instances: 2 cores x 2)"
    )
    parser.add_argument(
        "--threads", type=int, default=2, help="per worker (default 2: gthread workers, as in production; 1: sync workers)"
    )
    parser.add_argument(
        "--keep-alive", action="store_true", help="keep connections open between requests (default: one per request, as nginx)"
    )
    parser.add_argument("--skip-build", action="store_true", help="reuse the database and users of the last run")
    args = parser.parse_args()

    quick = args.quick
    counts = user_counts(args)
    duration = args.duration or (45 if quick else 600)
    spawn_rate = args.spawn_rate or (2 if quick else 3)
    users_total = sum(counts.values())
    ramp = users_total / spawn_rate
    OUT.mkdir(parents=True, exist_ok=True)
    for stale in ("ledger.json", "failures.jsonl", "summary.md", "requests.tsv"):
        (OUT / stale).unlink(missing_ok=True)

    database_url = os.environ.get("LOADTEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ws_loadtest")
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        REDIS_URL=os.environ.get("LOADTEST_REDIS_URL", "redis://127.0.0.1:6379/13"),
        MEDIA_ROOT=str(OUT / "media"),
        LOG_LEVEL="ERROR",
        PORTAL_SERVER_TIMING="1",  # each answer's cost, for the table of where the time went
    )
    ensure_redis(env)
    if not args.skip_build:
        prepare(env, database_url, counts)
    log("ANALYZE: the planner's statistics of the data just built")
    psql_rows(database_url, "ANALYZE")
    analyzed: list = []
    own_autovacuum = not autovacuum_on(database_url)
    if own_autovacuum:
        log("PostgreSQL's autovacuum is off on this server: the run analyzes tables itself as it would")
    users = json.loads((OUT / "users.json").read_text())
    instances = max(1, args.instances or (1 if quick else 2))
    workers = args.workers or max(1, 4 // instances)
    servers = [Server(env, args.port + n, workers=workers, threads=args.threads) for n in range(instances)]
    for n in range(instances):
        (OUT / f"gunicorn-{args.port + n}.log").unlink(missing_ok=True)
    pdf_worker = PdfWorker(env)
    stop = threading.Event()
    timeline: list = []
    try:
        for server in servers:
            server.start()
        pdf_worker.start()
        for server in servers:
            warm_up(server.port, users)
        single_user = alone(servers[0].port, users)
        run_time = int(ramp + duration)
        prefix = OUT / "results"
        locust_env = dict(
            env,
            LOADTEST_USERS=str(OUT / "users.json"),
            LOADTEST_LEDGER=str(OUT / "ledger.json"),
            LOADTEST_FAILURES=str(OUT / "failures.jsonl"),
            LOADTEST_REQUESTS=str(OUT / "requests.tsv"),
            LOADTEST_THINK="0.5" if quick else "1",
            LOADTEST_ARRIVAL=str(round(duration * 0.4)),
            LOADTEST_PRINCIPALS=str(counts["principals"]),
            LOADTEST_STAFF=str(counts["staff"]),
            LOADTEST_AUDITORS=str(counts["auditors"]),
            PYTHONPATH=str(HERE),
            LOADTEST_HOSTS=",".join(f"http://127.0.0.1:{server.port}" for server in servers),
            LOADTEST_KEEP_ALIVE="1" if args.keep_alive else "",
        )
        command = [
            str(Path(PY).parent / "locust"),
            "-f",
            str(HERE / "locustfile.py"),
            "--headless",
            "-u",
            str(users_total),
            "-r",
            str(spawn_rate),
            "-t",
            f"{run_time}s",
            "--host",
            f"http://127.0.0.1:{args.port}",
            "--csv",
            str(prefix),
            "--only-summary",
            "--stop-timeout",
            "90",
            "--loglevel",
            "WARNING",
        ]
        log(
            f"locust: {counts['principals']} principals, {counts['staff']} staff, {counts['auditors']} auditors; "
            f"ramp {ramp:.0f} s at {spawn_rate}/s, then {duration:.0f} s of steady load; "
            f"{instances} instance(s) x {workers} workers x {args.threads} thread(s), requests spread round-robin"
        )
        started = time.time()
        cpu_samples: list = []
        locust = subprocess.Popen(command, env=locust_env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

        def roots() -> dict[str, list[int]]:
            return {
                "web": [server.process.pid for server in servers if server.process],
                "PDF worker": [pdf_worker.process.pid] if pdf_worker.process else [],
                "Locust": [locust.pid],
            }

        threading.Thread(target=sample_cpu, args=(cpu_samples, stop, roots), daemon=True).start()
        if own_autovacuum:
            threading.Thread(target=analyze_as_autovacuum, args=(database_url, analyzed, stop), daemon=True).start()
        fault_thread = None
        if args.faults:
            fault_thread = threading.Thread(target=faults, args=(servers, started + ramp, duration, timeline, stop))
            fault_thread.start()
        _out, stderr = locust.communicate()
        result = subprocess.CompletedProcess(command, locust.returncode, None, stderr)
        elapsed = time.time() - started
        stop.set()
        if fault_thread:
            fault_thread.join()
        if result.returncode not in (0, 1):  # 1: some requests failed (reported below)
            print(result.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"locust stopped with status {result.returncode}")
    finally:
        stop.set()
        for server in servers:
            server.stop()
        pdf_worker.stop()

    invocation = "make loadtest" + (" QUICK=1" if quick else "") + (" FAULTS=1" if args.faults else "")
    threads = f" x {args.threads} threads" if args.threads > 1 else ""
    invocation += f" ({instances} instance(s) x {workers} workers{threads}{', pdf_worker' if pdf_worker.available else ''})"
    table, missed, failures = summarise(read_stats(prefix), elapsed, invocation, single_user)
    report = (
        table
        + minute_report(OUT / "requests.tsv", started, cpu_samples)
        + server_report(OUT / "requests.tsv")
        + fault_report(timeline, OUT / "failures.jsonl")
    )
    if (OUT / "ledger.json").exists():
        ledger = json.loads((OUT / "ledger.json").read_text())
        report += (
            f"\nChanges the 503 page said were not saved (held to it by the verification): "
            f"{ledger.get('said_not_saved', 0)}; changes without an answer: "
            f"{ledger.get('requests_without_answer', 0)}; requests refused by a stopped instance and "
            f"sent to the other: {ledger.get('sent_to_other_instance', 0)}.\n"
        )
    if own_autovacuum:
        report += (
            f"\nPostgreSQL's autovacuum is off on this server; the run analyzed tables as it would "
            f"(after the build, then {len(analyzed)} time(s) during the load: "
            f"{', '.join(sorted({t.split('.')[-1] for _at, tables in analyzed for t in tables})) or 'none due'}).\n"
        )
    print("\n" + report)
    (OUT / "summary.md").write_text(report)
    shutil.copy(f"{prefix}_stats.csv", OUT / "last_stats.csv")

    log("nothing lost? comparing the ledger with the database")
    verified = subprocess.run([PY, str(HERE / "verify.py"), str(OUT / "users.json"), str(OUT / "ledger.json")], env=env, cwd=ROOT)
    status = 0
    if missed:
        print("Latency targets missed:\n  " + "\n  ".join(missed))
        status = 3
    if failures:
        print(f"{failures} request(s) failed (target: none); see {prefix}_failures.csv and failures.jsonl")
        status = 2
    if verified.returncode != 0:
        print("DATA MISMATCH: the database does not hold what the portal confirmed (see above)")
        status = 1
    if status == 0:
        print("loadtest: all targets met, nothing lost")
    return status


if __name__ == "__main__":
    sys.exit(main())
