"""The load test's data (``scripts/loadtest/build_data.py``) fits the models as they are, and
its users find what its script expects on the pages: the principal a submit form, the edit
forms of the plot and the line, and the import page; staff the school in their grid once it is
submitted. ``make loadtest`` is not part of the suite, so without this the data builder rots
unseen (it once wrote schools without the county every school now has)."""

import argparse
import importlib.util
import sys
import types
from pathlib import Path

import pytest
from django.db import connection

from workstudy import demo
from workstudy.models import School, User

HERE = Path(__file__).resolve().parent.parent / "scripts" / "loadtest"


def _module(name: str, monkeypatch):
    spec = importlib.util.spec_from_file_location(f"loadtest_{name}", HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def built(year, monkeypatch):
    # What build_data needs of load_demo: the open year and the demo county.
    demo.demo_county()
    build_data = _module("build_data", monkeypatch)
    # It refuses any database whose name does not say "loadtest"; the test database is a scratch one too.
    monkeypatch.setattr(build_data, "connection", types.SimpleNamespace(settings_dict={"NAME": "test_loadtest"}))
    return build_data.build(principals=2, staff=1, auditors=1)


def test_schools_and_users_in_the_demo_county(built):
    county = demo.demo_county()
    codes = [p["school"] for p in built["principals"]]
    assert set(School.objects.filter(code__in=codes).values_list("county", flat=True)) == {county.pk}
    for username in [*built["staff"], *built["auditors"]]:
        assert User.objects.get(username=username).region_id == county.pk


def test_each_user_finds_what_the_script_expects(built, client, monkeypatch):
    hf = _module("htmlforms", monkeypatch)
    year = built["year"]
    me = built["principals"][0]
    client.force_login(User.objects.get(username=me["username"]))
    checklist = client.get(f"/?year={year}")
    submit = hf.form_with(checklist.content.decode(), "next", action_contains="/submit/")
    assert submit is not None, "the checklist offers no submit form"
    plot = client.get(f"/labor-bases/plots/{me['plot']}/edit/").content.decode()
    assert hf.form_with(plot, "area_mu") is not None
    line = client.get(f"/labor-bases/production/{me['line']}/edit/").content.decode()
    assert hf.form_with(line, "quantity") is not None
    page = client.get(f"/excel/labor_production/import/?year={year}").content.decode()
    assert hf.form_with(page, "file") is not None
    response = client.post(submit.action, submit.fields)
    assert response.status_code == 302

    client.force_login(User.objects.get(username=built["staff"][0]))
    grid = client.get(f"/?year={year}&status=submitted&q=负载测试").content.decode()
    pk = submit.action.rstrip("/").split("/")[-2]
    assert f'href="/submissions/{pk}/"' in grid
    detail = client.get(f"/submissions/{pk}/").content.decode()
    assert hf.form_with(detail, "csrfmiddlewaretoken", action_contains="/approve/") is not None


def test_the_minute_by_minute_table_holds_only_pages_to_the_page_figures(tmp_path, monkeypatch):
    run = _module("run", monkeypatch)
    started = 1000.0
    rows = [(started + 1 + n / 10, 10 * (n + 1), 0, "GET / (checklist)") for n in range(20)]  # 10..200 ms
    rows += [
        (started + 5, 9000, 0, "GET /reports/[year]/summary.pdf"),
        (started + 6, 8000, 0, "POST /excel/[kind]/import/ (confirm)"),
        (started + 61, 50, 1, "GET /labor-bases/"),
    ]
    log = tmp_path / "requests.tsv"
    log.write_text("".join(f"{t:.3f}\t{ms}\t{failed}\t{name}\n" for t, ms, failed, name in rows))

    def shares(web, database, stolen=0.0):
        return dict(dict.fromkeys(run.ROLES, 0.0), web=web, database=database, **{run.STOLEN: stolen})

    samples = [
        (started + 30, 0.5, shares(0.3, 0.1, 0.05)),
        (started + 40, 0.7, shares(0.5, 0.1, 0.15)),
        (started + 70, 0.25, shares(0.2, 0.0)),
    ]
    table = run.minute_report(log, started, samples)
    lines = [line for line in table.splitlines() if line.startswith("| ") and line[2].isdigit()]
    # Minute 1: 22 requests; the pages' median and p95 of 10..200 ms (the PDF and the upload left
    # out); the machine 60% busy, of which the web workers 40% and the database 10%, and 10% of its
    # cores' time given by the host to other guests.
    assert lines[0] == "| 1 | 0.4 | 110 | 190 | 0 | 60% | 40% | 10% | 0% | 0% | 0% | 10% |"
    assert lines[1] == "| 2 | 0.0 | 50 | 50 | 1 | 25% | 20% | 0% | 0% | 0% | 0% | 0% |"


def test_cpu_is_counted_for_each_part_of_the_stack(monkeypatch):
    run = _module("run", monkeypatch)
    table = {
        1: (0, "init", 5),
        100: (1, "gunicorn", 7),  # a master the run started, and its two workers
        101: (100, "gunicorn", 30),
        102: (100, "gunicorn", 40),
        200: (1, "postgres", 3),  # the database's processes, by name
        201: (200, "postgres", 11),
        300: (1, "python", 9),  # Locust
        400: (1, "redis-server *:6379", 2),
        500: (1, "bash", 50),  # nobody's
    }
    monkeypatch.setattr(run, "_processes", lambda: table)
    used = run.role_ticks({"web": [100], "Locust": [300], "PDF worker": []})
    assert used == {"web": 77, "database": 14, "Locust": 9, "PDF worker": 0, "Redis": 2}


def test_the_time_the_host_gave_to_other_guests_is_sampled(monkeypatch, tmp_path):
    """/proc/stat's eighth column (steal): busy, and also counted on its own."""
    run = _module("run", monkeypatch)
    stat = tmp_path / "stat"
    # user nice system idle iowait irq softirq steal
    readings = iter(["cpu  100 0 50 800 10 0 0 40 0 0\n", "cpu  160 0 70 860 10 0 0 100 0 0\n"])
    real_path = run.Path
    monkeypatch.setattr(run, "Path", lambda name: stat if name == "/proc/stat" else real_path(name))
    stat.write_text(next(readings))
    before = run._cpu_times()
    stat.write_text(next(readings))
    after = run._cpu_times()
    # 200 jiffies: 140 busy (60 user, 20 system, 60 stolen), 60 idle.
    assert (after[0] - before[0], after[1] - before[1], after[2] - before[2]) == (140, 200, 60)

    samples, stop = [], run.threading.Event()
    times = iter([(0, 0, 0), (140, 200, 60)])

    def cpu_times():
        value = next(times, None)
        if value is None:
            stop.set()
            return (140, 200, 60)
        return value

    monkeypatch.setattr(run, "_cpu_times", cpu_times)
    monkeypatch.setattr(run, "role_ticks", lambda roots: dict.fromkeys(run.ROLES, 0))
    run.sample_cpu(samples, stop, every=0.001)
    assert samples[0][1] == pytest.approx(0.7)
    assert samples[0][2][run.STOLEN] == pytest.approx(0.3)


def test_the_single_user_figures_stand_beside_each_kind(monkeypatch):
    run = _module("run", monkeypatch)

    def row(name, count, median, p95):
        return {"Name": name, "Request Count": str(count), "Failure Count": "0", "50%": str(median), "95%": str(p95),
                "Requests/s": "1.5"}

    rows = [row("GET / (checklist)", 100, 60, 250), row("POST /login/", 10, 90, 400), row("Aggregated", 110, 62, 260)]
    alone = {"GET / (checklist)": [float(ms) for ms in range(20, 40)], "GET /schools/": [5.0]}
    table, missed, failures = run.summarise(rows, 600, "make loadtest", alone)
    lines = table.splitlines()
    assert "| alone: median ms | alone: p95 ms |" in lines[2]
    # The loaded figures, then the same kind alone: median of 20..39 ms and its p95.
    assert "| `GET / (checklist)` | 100 | 0 | 60 | 250 | 1.50 | 30 | 38 |" in lines
    assert "| `POST /login/` | 10 | 0 | 90 | 400 | 1.50 | – | – |" in lines  # not measured alone
    assert missed == ["POST /login/: p95 400 ms > 300 ms"] and failures == 0
    assert "| alone" not in run.summarise(rows, 600, "make loadtest")[0]


def test_the_single_user_pass_reads_the_kinds_the_scenario_names(monkeypatch):
    """Its figures go beside the scenario's under the same names: every name it times must be one
    the scenario gives its requests."""
    run = _module("run", monkeypatch)
    users = {"year": 2024, "password": "x", "staff": ["s"], "auditors": ["a"],
             "principals": [{"username": "p", "plot": 1, "line": 2, "school_id": 3}]}
    scenario = (HERE / "locustfile.py").read_text()
    names = [name for _user, pages in run._plan(users) for name, _path in pages] + ["GET /login/", "POST /login/"]
    assert len(names) > 15
    for name in names:
        assert f'"{name}"' in scenario, name


def test_a_count_of_zero_is_kept_and_the_single_user_pass_skips_that_role(monkeypatch):
    """``--auditors 0`` runs without auditors (it used to fall back to 5), and a role with no
    users is not timed alone."""
    run = _module("run", monkeypatch)

    def counts(quick=False, **given):
        args = {"principals": None, "staff": None, "auditors": None, **given}
        return run.user_counts(argparse.Namespace(quick=quick, **args))

    assert counts() == {"principals": 300, "staff": 10, "auditors": 5}
    assert counts(quick=True) == {"principals": 30, "staff": 3, "auditors": 2}
    assert counts(auditors=0) == {"principals": 300, "staff": 10, "auditors": 0}
    assert counts(staff=0, principals=7) == {"principals": 7, "staff": 0, "auditors": 5}
    users = {"year": 2024, "password": "x", "staff": [], "auditors": [],
             "principals": [{"username": "p", "plot": 1, "line": 2, "school_id": 3}]}
    assert [user for user, _pages in run._plan(users)] == ["p"]


def test_the_threaded_workers_run_as_the_readme_tells_production_to(monkeypatch):
    """A threaded worker takes a connection only when a thread is free and keeps none open, in
    the load test and in the README's production command alike."""
    run = _module("run", monkeypatch)
    assert run.gthread_flags(2) == ["--worker-connections", "2", "--keep-alive", "0"]
    assert run.gthread_flags(4)[:2] == ["--worker-connections", "4"]
    assert run.gthread_flags(1) == []  # sync workers take one connection at a time anyway
    readme = (HERE.parents[1] / "README.md").read_text()
    assert "gunicorn config.wsgi --workers 4 --threads 2 " + " ".join(run.gthread_flags(2)) in readme


def test_the_run_analyzes_the_tables_autovacuum_would_when_it_is_off(monkeypatch):
    """On a server without autovacuum the run does its analyze: the due tables, in one ANALYZE,
    recorded for the report; nothing when none is due."""
    run = _module("run", monkeypatch)
    due = [["public.labor_bases_productionline", "public.workstudy_school"], []]
    ran = []
    monkeypatch.setattr(run, "psql_rows",
                        lambda url, sql: due.pop(0) if sql == run.DUE_FOR_ANALYZE else ran.append(sql) or [])

    class TwoRounds:
        rounds = 0

        def wait(self, seconds):
            self.rounds += 1
            return self.rounds > 2

    done = []
    run.analyze_as_autovacuum("postgres://x/ws_loadtest", done, TwoRounds(), every=0)
    assert ran == ["ANALYZE public.labor_bases_productionline, public.workstudy_school"]
    assert [tables for _at, tables in done] == [["public.labor_bases_productionline", "public.workstudy_school"]]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statistics views")
def test_the_due_tables_query_runs_on_postgresql_and_names_real_tables(monkeypatch):
    run = _module("run", monkeypatch)
    with connection.cursor() as cursor:
        cursor.execute(run.DUE_FOR_ANALYZE)
        names = [row[0] for row in cursor.fetchall()]
        if names:  # names ANALYZE accepts as they are
            cursor.execute("ANALYZE " + ", ".join(names))
        cursor.execute("SELECT count(*) FROM pg_stat_user_tables")
        assert cursor.fetchone()[0] > 0


def test_each_request_is_logged_with_the_servers_account_of_it(monkeypatch):
    timing = _module("timing", monkeypatch)
    response = types.SimpleNamespace(headers={"Server-Timing": 'app;dur=41.5, cpu;dur=30.2, db;dur=6.0;desc="17"'})
    assert timing.server_timing(response) == "41.5\t30.2\t6.0\t17"
    # No answer (a refused connection), or an answer without the header: empty columns.
    assert timing.server_timing(None) == "\t\t\t"
    assert timing.server_timing(types.SimpleNamespace(headers={})) == "\t\t\t"


def test_where_the_time_went_per_kind(tmp_path, monkeypatch):
    run = _module("run", monkeypatch)
    lines = [f"{1000 + n}.000\t{100 + n}\t0\tGET / (checklist)\t{60 + n}\t{40 + n}\t{10 + n}\t{16}\n" for n in range(20)]
    lines.append("1030.000\t5000\t1\tGET / (checklist)\t\t\t\t\n")  # no answer: left out of this table
    lines.append("1031.000\t80\t0\tPOST /login/\t70\t60\t\t\n")  # an answer with no statement
    log = tmp_path / "requests.tsv"
    log.write_text("".join(lines))
    table = run.server_report(log).splitlines()
    # client 100..119, app 60..79, CPU 40..59, database 10..29, 16 statements, queued 40 each time.
    assert "| `GET / (checklist)` | 20 | 110 / 118 | 70 / 78 | 50 / 58 | 20 / 28 | 16 | 40 / 40 |" in table
    assert "| `POST /login/` | 1 | 80 / 80 | 70 / 70 | 60 / 60 | 0 / 0 | 0 | 10 / 10 |" in table
    # The minute table reads the same log, the columns after the name left aside.
    minutes = [line for line in run.minute_report(log, 1000.0, []).splitlines() if line.startswith("| 1 |")]
    assert minutes == ["| 1 | 0.4 | 109 | 119 | 1 | - | - | - | - | - | - | - |"]
