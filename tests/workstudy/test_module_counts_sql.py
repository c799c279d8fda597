"""The modules' counts run SQL built once per set of modules and number of schools
(workstudy.modules._count_sql), its year and schools put in as parameters: for any year, any
schools (repeated, unknown, none) and any modules in any order, the counts are the rows there
are, the same as counting each model's rows one school at a time."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import ReportingYearFactory, SchoolFactory
from tests.workstudy.test_views_overview import _fill
from workstudy import modules, scoping

MISSING_SCHOOL = 987_654


@pytest.fixture
def schools(year, school_a, school_b):
    other_year = ReportingYearFactory(year=2023)
    school_c = SchoolFactory(county=school_a.county)
    _fill(school_a, year, plots=2, lines=1, services=2, coverage=True)
    _fill(school_b, year, plots=1, services=1)
    _fill(school_c, other_year, plots=3, lines=2, coverage=True)
    _fill(school_a, other_year, lines=1, services=3)
    return [school_a.pk, school_b.pk, school_c.pk, MISSING_SCHOOL]


def _one_at_a_time(module_list, year, ids):
    out = {module.key: {} for module in module_list}
    for module in module_list:
        for model in module.counted:
            scope = scoping.scope_of(model)
            for school_id in dict.fromkeys(ids):
                n = model._default_manager.filter(**{f"{scope.year}_id": year, f"{scope.school}_id": school_id}).count()
                if n:
                    out[module.key][school_id] = out[module.key].get(school_id, 0) + n
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
@pytest.mark.django_db
def test_counts_are_the_rows_there_are_for_any_year_schools_and_modules(schools, data):
    every = modules.all_modules()
    module_list = data.draw(st.permutations(every).flatmap(lambda ms: st.integers(0, len(ms)).map(lambda n: list(ms[:n]))))
    year = data.draw(st.sampled_from([2023, 2024, 2025]))
    picked = data.draw(st.none() | st.lists(st.sampled_from(schools), max_size=6))
    counted = modules.counts(year, picked, module_list)
    ids = schools if picked is None else picked
    assert counted == _one_at_a_time(module_list, year, ids)


@pytest.mark.django_db
def test_the_sql_is_built_once_per_modules_and_number_of_schools(schools):
    modules._count_sql.cache_clear()
    a, b, c, _missing = schools
    assert modules.counts(2024, [a])["labor_bases"] == {a: 3}
    assert modules.counts(2024, [b])["labor_bases"] == {b: 1}
    assert modules.counts(2023, [c])["labor_bases"] == {c: 5}
    assert modules._count_sql.cache_info().misses == 1
    assert modules.counts(2024, [a, b])["labor_bases"] == {a: 3, b: 1}
    assert modules._count_sql.cache_info().misses == 2


@pytest.mark.django_db
def test_a_module_registered_again_with_other_models_gets_its_own_sql(schools, monkeypatch):
    """A module's key alone does not name its SQL: the models it counts are part of it."""
    from labor_bases.models import LandParcel

    a = schools[0]
    plots_only = next(m for m in modules.all_modules() if m.key == "labor_bases")
    assert modules.counts(2024, [a], [plots_only])["labor_bases"] == {a: 3}
    plots_only = dataclasses.replace(plots_only, counted=(LandParcel,))
    assert modules.counts(2024, [a], [plots_only])["labor_bases"] == {a: 2}
