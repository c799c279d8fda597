"""The deployment's database check: PostgreSQL without autovacuum is reported (its statistics
go stale and every join reads whole tables); SQLite and a server with it on are not."""

import pytest
from django.core import checks as django_checks
from django.db import connection

from workstudy import checks


class _Server:
    """A connection whose server answers the settings given."""

    vendor = "postgresql"

    def __init__(self, autovacuum, track_counts="on"):
        self.settings = (autovacuum, track_counts)

    def cursor(self):
        server = self

        class Cursor:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return False

            def execute(self, sql, params=None):
                assert "current_setting('autovacuum')" in sql

            def fetchone(self):
                return server.settings

        return Cursor()


@pytest.mark.parametrize(("settings", "warned"), [
    (("on", "on"), False), (("off", "on"), True), (("on", "off"), True),
])
def test_a_postgresql_server_without_autovacuum_is_reported(monkeypatch, settings, warned):
    monkeypatch.setattr(checks, "connections", {"default": _Server(*settings)})
    found = checks.autovacuum_is_on(databases=["default"])
    assert [m.id for m in found] == (["workstudy.W001"] if warned else [])
    if warned:
        assert found[0].level == django_checks.WARNING
        assert "autovacuum" in found[0].msg and "ANALYZE" in found[0].hint


@pytest.mark.django_db
def test_the_check_runs_with_the_database_checks_only(monkeypatch):
    monkeypatch.setattr(checks, "connections", {"default": _Server("off")})
    assert "workstudy.W001" in [m.id for m in django_checks.run_checks(databases=["default"])]
    assert "workstudy.W001" not in [m.id for m in django_checks.run_checks()]  # no database asked: not connected


@pytest.mark.django_db
def test_the_real_database_answers():
    found = checks.autovacuum_is_on(databases=["default"])
    if connection.vendor != "postgresql":
        assert found == []
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW autovacuum")
            off = cursor.fetchone()[0] != "on"
        assert [m.id for m in found] == (["workstudy.W001"] if off else [])
