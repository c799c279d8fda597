"""A school's sheet on its base page is kept while what it reads of that school is unchanged
(:func:`labor_bases.selectors.school_sheet_state`: the school's aggregate's token, its return's
counts, its bases as printed, its name), not only until any school's save: after any sequence of
saves, bulk writes, deletes, renames, moves, base edits, new bases, activities and counts, the
kept sheet of every school is its sheet read again, and other schools' saves read nothing again.
Outside a transaction, as a page reads it (nothing is kept inside one), so the database is
emptied between examples."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labor_bases import selectors
from labor_bases.models import LaborBase
from tests.factories import SubmissionFactory
from tests.labor_bases.test_kept_warnings import BASES, SCHOOLS
from tests.reports.test_kept_examples import (
    _change,
    _county,
    _empty_all,
    another_school_saves,
    example_operation,
    mine_and_another_school,
)

_names = itertools.count()
sheet_operation = st.one_of(
    example_operation,
    st.tuples(st.just("base field"), st.integers(0, BASES - 1), st.sampled_from(["location", "active", "established"])),
    st.tuples(st.just("new base"), st.integers(0, SCHOOLS - 1)),
)


def _sheet_change(op, schools, bases) -> None:
    kind, *args = op
    if kind == "base field":
        base = LaborBase.objects.get(pk=bases[args[0]].pk)
        if args[1] == "location":
            base.location = f"某村{next(_names)}"
        elif args[1] == "active":
            base.active = not base.active
        else:
            base.established_year = 2000 + next(_names) % 20
        base.save()
    elif kind == "new base":
        LaborBase.objects.create(school=schools[args[0]], name=f"新基地{next(_names)}", location="某村",
                                 established_year=2015)
    else:
        _change(op, schools, bases)


@pytest.mark.django_db(transaction=True)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(operations=st.lists(sheet_operation, min_size=1, max_size=10))
def test_kept_sheets_equal_the_sheets_read_again(operations):
    schools, bases = _county("H")
    try:
        for item in schools:
            SubmissionFactory(school=item, year_id=2024)
        cache.clear()
        for item in schools:
            assert selectors.kept_school_sheet(2024, item.pk) == selectors.school_sheet(2024, item.pk)
        for op in operations:
            _sheet_change(op, schools, bases)
            for item in schools:
                assert selectors.kept_school_sheet(2024, item.pk) == selectors.school_sheet(2024, item.pk), op
    finally:
        _empty_all()


@pytest.mark.django_db(transaction=True)
def test_other_schools_saves_read_no_sheet_again(monkeypatch):
    try:
        mine, other, base, line = mine_and_another_school("J")
        read = []
        real = selectors.school_sheet
        monkeypatch.setattr(selectors, "school_sheet", lambda year, sid: read.append(sid) or real(year, sid))
        first = selectors.kept_school_sheet(2024, mine.pk)
        assert read == [mine.pk] and first["lines"][0]["quantity"] == Decimal("3")

        read.clear()
        another_school_saves(other)
        assert selectors.kept_school_sheet(2024, mine.pk) == first
        assert read == [], "another school's saves read the sheet again"

        line.quantity = Decimal("4")  # the school's own line
        line.save()
        assert selectors.kept_school_sheet(2024, mine.pk)["lines"][0]["quantity"] == Decimal("4")
        assert read == [mine.pk]
        read.clear()
        base.location = "新的位置"  # a base's place, which the sheet prints and no aggregate follows
        base.save()
        assert selectors.kept_school_sheet(2024, mine.pk)["bases"][0]["location"] == "新的位置"
        assert read == [mine.pk]
    finally:
        _empty_all()
