"""The summary's example schools are kept while what they read is unchanged
(:func:`labor_bases.selectors.school_examples_state`: those schools' aggregates' tokens and their
returns' counts), not only until any school's save: after any sequence of saves, bulk writes,
deletes, renames, moves, activities and counts, the kept examples are those read again, and
other schools' saves read nothing again. Outside a transaction, as a page reads them (nothing is
kept inside one), so the database is emptied between examples."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labor_bases import selectors as labor_selectors
from labor_bases.models import LaborBase, LandParcel, ProductionLine, StudentPracticeActivity
from reports import sources
from tests.factories import SubmissionFactory
from tests.labor_bases.test_kept_warnings import SCHOOLS, _apply, _county, _empty, operation
from workstudy.models import Submission

school = st.integers(0, SCHOOLS - 1)
example_operation = st.one_of(
    operation,
    st.tuples(st.just("activity"), school, st.sampled_from(["采茶", "插秧"])),
    st.tuples(st.just("counts"), school, st.integers(0, 900)),
)


def _change(op, schools, bases) -> None:
    kind, *args = op
    if kind == "activity":
        StudentPracticeActivity.objects.create(school=schools[args[0]], year_id=2024, activity=args[1],
                                               participants=10, days=1)
    elif kind == "counts":
        submission = Submission.objects.get(school=schools[args[0]], year_id=2024)
        submission.student_count = args[1]
        submission.save()
    else:
        _apply(op, schools, bases)


def _kept(ids):
    return sources.call_kept("labor_bases", "school_examples", 2024, school_ids=ids)


def _read_again(ids):
    return sources.call("labor_bases", "school_examples", 2024, school_ids=ids)


def _empty_all() -> None:
    for row in StudentPracticeActivity.objects.all():
        row.delete()
    _empty()
    Submission.objects.all().delete()


def mine_and_another_school(prefix: str) -> tuple:
    """A county with returns, and the first school's line of 3 kg of tea; nothing kept yet.
    Returns the school, another school, the school's base and its line."""
    schools, _bases = _county(prefix)
    for item in schools:
        SubmissionFactory(school=item, year_id=2024)
    mine, other = schools[0], schools[1]
    base = LaborBase.objects.filter(school=mine).first()
    line = ProductionLine.objects.create(base=base, year_id=2024, product="茶叶", unit="kg",
                                         quantity=Decimal("3"), unit_price=Decimal("10.00"))
    cache.clear()
    return mine, other, base, line


def another_school_saves(other) -> None:
    """A line, a plot and its return's counts saved at ``other``, as on a deadline day."""
    theirs = LaborBase.objects.filter(school=other).first()
    ProductionLine.objects.create(base=theirs, year_id=2024, product="茶叶", unit="kg", quantity=Decimal("5"),
                                  unit_price=Decimal("10.00"))
    LandParcel.objects.create(base=theirs, year_id=2024, land_type="tea", crop="茶", area_mu=Decimal("2"))
    theirs_return = Submission.objects.get(school=other, year_id=2024)
    theirs_return.staff_count = 7
    theirs_return.save()


@pytest.mark.django_db(transaction=True)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(operations=st.lists(example_operation, min_size=1, max_size=10),
       chosen=st.lists(school, min_size=1, max_size=SCHOOLS, unique=True))
def test_kept_examples_equal_the_schools_read_again(operations, chosen):
    schools, bases = _county("X")
    try:
        for item in schools:
            SubmissionFactory(school=item, year_id=2024)
        cache.clear()
        ids = [schools[n].pk for n in chosen]  # the staff's order
        assert _kept(ids) == _read_again(ids)
        for op in operations:
            _change(op, schools, bases)
            assert _kept(ids) == _read_again(ids), op
    finally:
        _empty_all()


@pytest.mark.django_db(transaction=True)
def test_other_schools_saves_read_no_example_again(monkeypatch):
    try:
        mine, other, _base, line = mine_and_another_school("Y")
        details = []
        real = labor_selectors._school_details
        monkeypatch.setattr(labor_selectors, "_school_details",
                            lambda year, ids: details.append(list(ids)) or real(year, ids))
        first = _kept([mine.pk])
        assert details == [[mine.pk]] and first[0]["lines"][0]["quantity"] == Decimal("3")

        details.clear()
        another_school_saves(other)
        assert _kept([mine.pk]) == first
        assert details == [], "another school's saves read the example again"

        line.quantity = Decimal("4")  # the school's own line
        line.save()
        assert _kept([mine.pk])[0]["lines"][0]["quantity"] == Decimal("4")
        assert details == [[mine.pk]]
        details.clear()
        own = Submission.objects.get(school=mine, year_id=2024)
        own.staff_count = 31  # its own return's counts, which the example prints
        own.save()
        assert _kept([mine.pk])[0]["staff_count"] == 31
        assert details == [[mine.pk]]
    finally:
        _empty_all()
