"""The demo: the four enterprises with 2024 figures get their return rows (valid, every
subsidy's uses filled in), loading twice changes nothing, and load_demo runs it."""

import pytest

from enterprises import demo as enterprises_demo
from statreturn import builder, demo
from statreturn.models import EnterpriseReturn
from workstudy import demo as core_demo
from workstudy.management.commands.load_demo import DEMO_APPS
from workstudy.models import School


@pytest.fixture
def loaded(db):
    schools = core_demo.load_schools()
    users = core_demo.load_users(schools)
    core_demo.load_years_and_submissions(schools)
    enterprises_demo.load(schools=schools, users=users)
    demo.load(schools=schools, users=users)
    return schools


def test_demo_rows_are_valid_and_complete(loaded):
    rows = list(EnterpriseReturn.objects.filter(year_id=demo.YEAR))
    assert sorted(row.enterprise.name for row in rows) == sorted(demo.FIGURES)
    for row in rows:
        row.full_clean()
    result = builder.build(demo.YEAR, School.objects.all())
    assert builder.parts_consistent(result) == []
    assert result.line("A15").value == 4 and result.line("A14").value == 0  # every sector known
    assert result.line("B58").value == 0  # every 补贴教育经费 has its uses (no bases loaded here)
    assert result.line("B50").value == sum(sum(map(int, spec[5])) for spec in demo.FIGURES.values())


def test_demo_is_idempotent_and_hooked(loaded):
    versions = dict(EnterpriseReturn.objects.values_list("pk", "version"))
    history = EnterpriseReturn.history.count()
    demo.load(schools=loaded)
    assert dict(EnterpriseReturn.objects.values_list("pk", "version")) == versions
    assert EnterpriseReturn.history.count() == history
    assert DEMO_APPS.index("statreturn") > DEMO_APPS.index("enterprises")
