"""The data stamp follows commit order, not the order rows took their ids in.

A long import inserts its rows (and their change-history ids) first and commits last; a short
save in between takes higher ids and commits first. With the stamp = the highest history id,
a reader between the two commits cached figures without the import's rows under a stamp that
did not move when the import committed: the figures stayed stale. The counter raised on commit
(workstudy.freshness) moves when the import commits.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.db.models import Sum

from labor_bases.models import LaborBase, LandParcel
from tests.factories import ReportingYearFactory, SchoolFactory
from tests.labor_bases.factories import LaborBaseFactory, LandParcelFactory
from workstudy import freshness


def _area():
    return freshness.cached(
        "test:commit-order:area", lambda: LandParcel.objects.aggregate(s=Sum("area_mu"))["s"] or Decimal(0),
        apps=("labor_bases",),
    )


@pytest.mark.django_db(transaction=True)
def test_a_long_transaction_committing_last_is_seen_by_cached_figures():
    if connection.vendor != "postgresql":
        pytest.skip("two writers at once need PostgreSQL (SQLite locks the whole database for a writer)")
    year = ReportingYearFactory(year=2024)
    base = LaborBaseFactory(school=SchoolFactory(code="C001", name="顺序学校"), name="顺序基地")
    LandParcelFactory(base=base, year=year, area_mu=Decimal("1"))
    assert _area() == Decimal("1")

    # The short save is another school's: one school-year's writers wait for each other (its
    # aggregate row is locked until the writer commits), two schools' do not.
    other = LaborBaseFactory(school=SchoolFactory(code="C003", name="另一学校"), name="另一基地")
    inserted, finish, failures = threading.Event(), threading.Event(), []

    def long_import():
        try:
            with transaction.atomic():
                LandParcelFactory(base=LaborBase.objects.get(pk=base.pk), year=year, area_mu=Decimal("100"))
                inserted.set()
                assert finish.wait(20)
        except Exception as exc:  # pragma: no cover - reported below
            failures.append(exc)
            inserted.set()
        finally:
            connections.close_all()

    worker = threading.Thread(target=long_import)
    worker.start()
    assert inserted.wait(20)
    LandParcelFactory(base=other, year=year, area_mu=Decimal("10"))  # short save: higher ids, commits first
    assert _area() == Decimal("11")  # the import is not committed yet
    finish.set()
    worker.join(20)
    assert not failures
    assert _area() == Decimal("111")  # stale (11) with the highest-history-id stamp


@pytest.mark.django_db(transaction=True)
def test_every_kind_of_write_moves_the_stamp_after_commit():
    year = ReportingYearFactory(year=2024)
    base = LaborBaseFactory(school=SchoolFactory(code="C002", name="写入学校"), name="写入基地")
    seen = [freshness.generation(["labor_bases"])]

    def moved():
        now = freshness.generation(["labor_bases"])
        changed = now != seen[-1]
        seen.append(now)
        return changed

    LandParcelFactory(base=base, year=year, area_mu=Decimal("2"))
    assert moved(), "save"
    LandParcel.objects.bulk_create([LandParcel(base=base, year=year, land_type="tea", crop="茶", area_mu=Decimal("3"))])
    assert moved(), "bulk_create (no signals, no history)"
    LandParcel.objects.filter(base=base).update(crop="新茶")
    assert moved(), "QuerySet.update()"
    with transaction.atomic():
        LandParcel.objects.filter(base=base).update(crop="旧茶")
        inside = freshness.generation(["labor_bases"])
        assert inside != seen[-1], "a transaction's own stamp follows its own writes"
    assert moved(), "committed transaction"
    assert freshness.generation(["labor_bases"]) != inside, "a committed stamp never equals an uncommitted one"
    seen[-1] = freshness.generation(["labor_bases"])
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            LandParcel.objects.filter(base=base).delete()
            raise RuntimeError("rolled back")
    assert not moved(), "a rolled-back transaction changes nothing"
    with transaction.atomic():
        try:
            with transaction.atomic():
                LandParcel.objects.filter(base=base).update(crop="回滚")
                raise RuntimeError
        except RuntimeError:
            pass
    assert not moved(), "a rolled-back savepoint changes nothing"
    assert LandParcel.objects.filter(crop="旧茶").count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_write_after_a_rolled_back_savepoint_still_moves_the_stamp():
    year = ReportingYearFactory(year=2024)
    base = LaborBaseFactory(school=SchoolFactory(code="C003", name="保存点学校"), name="保存点基地")
    before = freshness.generation(["labor_bases"])
    with transaction.atomic():
        try:
            with transaction.atomic():
                LandParcelFactory(base=base, year=year)
                raise RuntimeError
        except RuntimeError:
            pass
        LandParcelFactory(base=base, year=year, area_mu=Decimal("5"))
    assert LandParcel.objects.count() == 1
    assert freshness.generation(["labor_bases"]) != before
