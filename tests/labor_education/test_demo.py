"""The demo data: valid under every rule, one school per warning, idempotent, and loaded by load_demo."""

import pytest
from django.core.management import call_command

from labor_bases import demo as bases_demo
from labor_education import demo, selectors
from labor_education.models import LaborEducation
from workstudy import demo as core_demo
from workstudy import rules as core_rules


@pytest.fixture
def loaded(db):
    schools = core_demo.load_schools()
    users = core_demo.load_users(schools)
    core_demo.load_years_and_submissions(schools)
    bases_demo.load(schools=schools, users=users)
    demo.load(schools=schools, users=users)
    return schools, users


def test_demo_records_are_valid_and_use_their_schools_bases(loaded):
    schools, _users = loaded
    records = list(LaborEducation.objects.filter(year_id=2024))
    assert len(records) == len(schools) - 1  # 樟坪中心学校 still to fill in
    for record in records:
        record.full_clean()
        assert all(base.school_id == record.school_id for base in record.bases_used.all())
    assert any(record.bases_used.exists() for record in records)


def test_demo_shows_each_warning_once(loaded):
    schools, _users = loaded
    found = core_rules.findings(2024, module="labor_education")
    by_code = {}
    for finding in found:
        by_code.setdefault(finding.rule.code, []).append(finding.school_id)
    assert by_code == {"LE-05": [schools["GX017"].pk], "LE-06": [schools["GX021"].pk], "LE-07": [schools["GX027"].pk]}
    assert selectors.coverage(2024)["schools"] == 26


def test_demo_is_idempotent(loaded):
    schools, users = loaded
    before = (LaborEducation.objects.count(), LaborEducation.history.count())
    demo.load(schools=schools, users=users)
    assert (LaborEducation.objects.count(), LaborEducation.history.count()) == before


def test_load_demo_loads_labor_education(db):
    call_command("load_demo", verbosity=0)
    assert LaborEducation.objects.filter(year_id=2024).count() == 26
