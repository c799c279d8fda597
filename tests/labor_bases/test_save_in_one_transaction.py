"""A change and everything kept from it are saved together or not at all: a production line and
its base's accounts, a new row and its history and the school's yearly figures. Transactional
tests: the commits are real, as in production (a worker killed between two commits would
leave the first)."""

from decimal import Decimal

import pytest

from aggregates import maintain
from aggregates.models import SchoolYearFigures
from labor_bases.models import BaseYearFinance, LandParcel, ProductionLine
from tests.labor_bases.factories import BaseYearFinanceFactory, LaborBaseFactory, ProductionLineFactory

pytestmark = pytest.mark.django_db(transaction=True)


class Failed(Exception):
    pass


def fail(*args, **kwargs):
    raise Failed


def _state(line):
    finance = BaseYearFinance.objects.get(base=line.base, year=line.year)
    figures = SchoolYearFigures.objects.get(school=line.base.school, year=line.year)
    lines = ProductionLine.objects.filter(base=line.base)
    return (
        sorted(lines.values_list("pk", "quantity", "value")),
        ProductionLine.history.filter(id=line.pk).count(),
        (finance.production_value, finance.revenue, finance.profit),
        figures.production_value,
    )


@pytest.fixture
def line(year):
    line = ProductionLineFactory(year=year, quantity=Decimal("100"), unit_price=Decimal("3.50"))
    BaseYearFinanceFactory(base=line.base, year=year)
    ProductionLine.objects.get(pk=line.pk).save()  # the accounts take in the line
    return ProductionLine.objects.get(pk=line.pk)


def test_a_line_whose_accounts_cannot_be_refreshed_is_not_saved(line, monkeypatch):
    before = _state(line)
    assert before[2][0] == Decimal("350.00")
    monkeypatch.setattr(BaseYearFinance, "refresh", classmethod(fail))
    line.quantity = Decimal("200")
    with pytest.raises(Failed):
        line.save()
    assert _state(line) == before


def test_a_line_whose_accounts_cannot_be_refreshed_is_not_deleted(line, monkeypatch):
    before = _state(line)
    monkeypatch.setattr(BaseYearFinance, "refresh", classmethod(fail))
    with pytest.raises(Failed):
        ProductionLine.objects.get(pk=line.pk).delete()
    assert _state(line) == before


def test_a_new_row_whose_yearly_figures_cannot_be_kept_is_not_saved(year, monkeypatch):
    base = LaborBaseFactory()
    monkeypatch.setattr(maintain, "refresh_school_years", fail)
    with pytest.raises(Failed):
        LandParcel.objects.create(base=base, year=year, land_type="tea", crop="茶", area_mu=Decimal("3"))
    assert not LandParcel.objects.filter(base=base).exists()
    assert not LandParcel.history.filter(base_id=base.pk).exists()


def test_a_saved_line_moves_its_accounts_and_figures_together(line):
    line.quantity = Decimal("200")
    line.save()
    pks_values, history, accounts, figures = _state(line)
    assert pks_values == [(line.pk, Decimal("200.00"), Decimal("700.00"))]
    assert history == 3 and accounts[0] == Decimal("700.00") and figures == Decimal("700.00")


def test_the_kept_figures_take_no_savepoint_of_their_own_and_fail_with_the_save(line, monkeypatch):
    """The school's yearly figures and the county's median prices are refreshed inside the save's
    transaction without savepoints of their own (statements every save would pay for); a failure
    in them still leaves nothing of the save."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    line.quantity = Decimal("120")
    with CaptureQueriesContext(connection) as queries:
        line.save()
    savepoints = [q["sql"] for q in queries if q["sql"].startswith("SAVEPOINT")]
    assert len(savepoints) == 1, savepoints  # the row's own save (its version check), nothing more
    assert _state(line)[3] == Decimal("420.00")

    before = _state(line)
    monkeypatch.setattr(maintain, "_computed", fail)
    line.quantity = Decimal("200")
    with pytest.raises(Failed):
        line.save()
    assert _state(line) == before
