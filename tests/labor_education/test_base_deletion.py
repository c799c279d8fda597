"""A labor base that a school's labor-education record lists cannot be deleted: deleting it
would silently change that record (and a locked year with it)."""

import pytest

from labor_bases.deletion import delete_block_reason
from tests.labor_bases.factories import LaborBaseFactory


@pytest.mark.django_db
def test_a_base_listed_by_labor_education_is_kept(record_a, school_a):
    used, unused = LaborBaseFactory(school=school_a, name="用过的基地"), LaborBaseFactory(school=school_a, name="空基地")
    record_a.bases_used.add(used)
    assert delete_block_reason(unused) is None
    reason = delete_block_reason(used)
    assert reason and "劳动教育记录" in reason and "用过的基地" in reason
