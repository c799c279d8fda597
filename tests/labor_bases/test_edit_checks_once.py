"""An edit page and its save read the row with its school and year, and check writing once per
(school, year) of the request: the return's state is read once and no year on its own. A save
that moves the row elsewhere is checked again where it would go."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from labor_bases.models import LandParcel
from tests.labor_bases.test_views import plot_form

pytestmark = pytest.mark.django_db

STATE = 'SELECT "workstudy_submission"."status"'
YEAR_ALONE = re.compile(r'FROM "workstudy_reportingyear" WHERE "workstudy_reportingyear"\."year" = \S+ LIMIT 21$')


def _reads(queries):
    sqls = [query["sql"] for query in queries.captured_queries]
    return sum(sql.startswith(STATE) for sql in sqls), [sql for sql in sqls if YEAR_ALONE.search(sql)]


def test_a_plots_edit_page_and_its_save_read_the_returns_state_once(principal_a_client, tea_a, base_a, submission_a):
    plot = tea_a["plot"]
    url = reverse("labor_bases:plot_edit", args=[plot.pk])
    with CaptureQueriesContext(connection) as page:
        assert principal_a_client.get(url).status_code == 200
    assert _reads(page) == (1, [])
    with CaptureQueriesContext(connection) as save:
        response = principal_a_client.post(url, plot_form(base_a, land_type="tea", area_mu="13", row_version=plot.version))
    assert response.status_code == 302
    assert _reads(save) == (1, [])
    assert LandParcel.objects.get(pk=plot.pk).area_mu == Decimal("13.00")


def test_a_save_that_moves_the_row_to_another_school_is_refused(principal_a_client, tea_a, base_a,
                                                                     base_b, submission_a):
    plot = tea_a["plot"]
    url = reverse("labor_bases:plot_edit", args=[plot.pk])
    response = principal_a_client.post(url, plot_form(base_b, land_type="tea", row_version=plot.version))
    assert response.status_code == 200  # refused: not the principal's school
    assert LandParcel.objects.get(pk=plot.pk).base_id == base_a.pk


def test_the_answer_kept_for_a_row_is_not_used_once_the_row_has_moved(principal_a, tea_a, base_b, submission_a):
    """What the save's check asks after binding: the same row, moved by the form to another
    school's base, is asked about where it would go, not answered from the first check."""
    from workstudy import scoping

    plot = LandParcel.objects.select_related("base__school", "year").get(pk=tea_a["plot"].pk)
    memo = {}
    assert scoping.obj_write_block_reason(principal_a, plot, memo) is None
    plot.base = base_b
    assert scoping.obj_write_block_reason(principal_a, plot, memo) is not None
    assert len(memo) == 2
