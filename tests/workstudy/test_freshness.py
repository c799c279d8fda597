"""workstudy.freshness: the data stamp changes with the data it covers — all of it, or one
app's and the core's — and the open warnings are kept per module until their data changes."""

import dataclasses
from decimal import Decimal

import pytest

from tests.enterprises.factories import EnterpriseFactory
from tests.factories import ReportingYearFactory, SchoolFactory
from tests.labor_bases.factories import LaborBaseFactory, LandParcelFactory
from workstudy import freshness, rules


@pytest.mark.django_db
def test_stamps_follow_the_data_they_cover():
    school = SchoolFactory(code="F001", name="新鲜学校")
    year = ReportingYearFactory(year=2024)
    base = LaborBaseFactory(school=school, name="新鲜基地")
    before = {"all": freshness.generation(), "labor": freshness.generation(["labor_bases"]),
              "enterprises": freshness.generation(["enterprises"]), "core": freshness.generation(())}
    LandParcelFactory(base=base, year=year, area_mu=Decimal("3"))
    after = {"all": freshness.generation(), "labor": freshness.generation(["labor_bases"]),
             "enterprises": freshness.generation(["enterprises"]), "core": freshness.generation(())}
    assert after["all"] != before["all"] and after["labor"] != before["labor"]
    assert after["enterprises"] == before["enterprises"] and after["core"] == before["core"]
    school.name = "新鲜学校（改名）"
    school.save()  # the core: every app's stamp changes
    assert all(freshness.generation(apps) != after[name] for name, apps in
               (("all", None), ("labor", ["labor_bases"]), ("enterprises", ["enterprises"]), ("core", ())))
    stamps = freshness.stamps()
    assert freshness.generation(["labor_bases"], now=stamps) == freshness.generation(["labor_bases"])


@pytest.mark.django_db(transaction=True)
def test_a_county_lock_changes_who_takes_part_and_the_core_stamp():
    """A county's lock decides which schools take part in its year (an active school without a
    return no longer does): the core's stamp changes with it, and the count kept under it."""
    from django.utils import timezone

    from workstudy.models import CountyLock, Region
    from workstudy.participation import count_of_year

    year = ReportingYearFactory(year=2024)
    SchoolFactory(code="F002", name="未填报学校")
    core = freshness.generation(())
    assert count_of_year(2024) == 1
    CountyLock.objects.create(year=year, county=Region.default_county(), locked_at=timezone.now())
    assert freshness.generation(()) != core
    assert count_of_year(2024) == 0


def count_checks(monkeypatch, *modules: str) -> dict[str, int]:
    """How often each of these modules' warning checks runs from now on."""
    runs = dict.fromkeys(modules, 0)
    for code, registered in list(rules.RULES.items()):
        if registered.year_check is not None and registered.module in runs:
            def counting(year, school_id, _check=registered.year_check, _module=registered.module):
                runs[_module] += 1
                return _check(year, school_id)

            monkeypatch.setitem(rules.RULES, code, dataclasses.replace(registered, year_check=counting))
    return runs


@pytest.mark.django_db(transaction=True)
def test_warnings_are_kept_per_module_until_their_data_changes(monkeypatch):
    runs = count_checks(monkeypatch, "labor_bases", "enterprises")
    year = ReportingYearFactory(year=2024)
    base = LaborBaseFactory(school=SchoolFactory(code="F002", name="模块学校"), name="模块基地")
    rules.findings(2024)
    first = dict(runs)
    rules.findings(2024)
    assert runs == first  # nothing changed: both kept
    EnterpriseFactory(name="新企业")  # enterprises data: only its checks run again
    rules.findings(2024)
    assert runs["labor_bases"] == first["labor_bases"] and runs["enterprises"] > first["enterprises"]
    second = dict(runs)
    LandParcelFactory(base=base, year=year, area_mu=Decimal("2"))  # labor-base data
    rules.findings(2024)
    assert runs["labor_bases"] > second["labor_bases"] and runs["enterprises"] == second["enterprises"]


@pytest.mark.django_db(transaction=True)
def test_kept_warnings_expire(monkeypatch):
    """A lost data-version bump (a process dying between commit and bump) leaves warnings at
    most ``_MEMO_TTL`` old: the per-process memo expires like the shared cache."""
    runs = []
    for code, registered in list(rules.RULES.items()):
        if registered.year_check is not None and registered.module == "labor_bases":
            def counting(year, school_id, _check=registered.year_check):
                runs.append(1)
                return _check(year, school_id)

            monkeypatch.setitem(rules.RULES, code, dataclasses.replace(registered, year_check=counting))
    ReportingYearFactory(year=2024)
    clock = [1000.0]
    monkeypatch.setattr(rules.time, "monotonic", lambda: clock[0])
    rules.findings(2024, module="labor_bases")
    first = len(runs)
    clock[0] += rules._MEMO_TTL - 1
    rules.findings(2024, module="labor_bases")
    assert len(runs) == first
    clock[0] += 2
    rules.findings(2024, module="labor_bases")
    assert len(runs) > first


@pytest.mark.django_db(transaction=True)
def test_writes_are_seen_on_a_connection_first_opened_inside_a_request(principal_a, year):
    """A new thread has its own database connection, opened by its first request inside the
    request's execute wrapper (workstudy.middleware). Afterwards the connection must still
    report writes to the stamps, and carry no wrapper of the finished request."""
    import threading

    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(principal_a)
    base = LaborBaseFactory(school=principal_a.school, name="线程基地")
    seen = {}

    def in_a_new_thread():
        try:
            for _ in range(3):
                assert client.get(reverse("dashboard")).status_code == 200
            seen["wrappers"] = list(connection.execute_wrappers)
            before = freshness.generation(["labor_bases"])
            LandParcelFactory(base=base, year=year, area_mu=Decimal("4"))
            seen["moved"] = freshness.generation(["labor_bases"]) != before
        finally:
            connection.close()

    thread = threading.Thread(target=in_a_new_thread)
    thread.start()
    thread.join()
    assert seen == {"wrappers": [freshness._see_writes], "moved": True}


def _version_reads(queries) -> int:
    from dataversions.models import DataVersion

    table = DataVersion._meta.db_table
    return sum(1 for q in queries if q["sql"].lstrip().upper().startswith("SELECT") and table in q["sql"])


@pytest.mark.django_db(transaction=True)
def test_a_request_reads_the_stamps_once_and_again_after_it_writes():
    """In a request the stamps are read once, however many kept values it asks for; a write of
    watched data in the request (and the version it raises) makes the next call read them
    again; outside a request every call reads them."""
    from django.core.signals import request_finished, request_started
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dataversions.models import DataVersion

    school = SchoolFactory(code="F010", name="一次读取学校")
    request_started.send(sender=None)
    try:
        with CaptureQueriesContext(connection) as queries:
            first = freshness.stamps()
            assert freshness.stamps() == first and freshness.generation(["labor_bases"]) == freshness.generation(
                ["labor_bases"], now=first)
        assert _version_reads(queries) == 1
        # Raised by another process meanwhile (not a write of this request): the request keeps its stamps.
        DataVersion.objects.filter(app="workstudy").update(version=123456789)
        assert freshness.stamps() == first
        school.name = "一次读取学校（改名）"
        school.save()  # this request's own write: read again, and it sees its write's version
        with CaptureQueriesContext(connection) as queries:
            after = freshness.stamps()
        assert _version_reads(queries) == 1 and after["workstudy"] != first["workstudy"]
        assert freshness.stamps() == after
    finally:
        request_finished.send(sender=None)
    DataVersion.objects.filter(app="workstudy").update(version=987654321)
    with CaptureQueriesContext(connection) as queries:
        assert freshness.stamps()["workstudy"] == "987654321"  # outside a request: read every time
        freshness.stamps()
    assert _version_reads(queries) == 2

