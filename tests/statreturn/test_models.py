"""The return figures' own checks: bad input is refused with a Chinese message naming the
problem, on the model and through the page, and nothing is saved."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from statreturn.models import EnterpriseReturn, Sector
from tests.enterprises.factories import YearStatFactory
from tests.statreturn.factories import EnterpriseReturnFactory


def _row(enterprise, year, **values):
    base = dict(
        enterprise=enterprise,
        year=year,
        sector=Sector.INDUSTRY,
        output_value=Decimal("100"),
        assets=Decimal("1000"),
        liabilities=Decimal("400"),
    )
    base.update(values)
    return EnterpriseReturn(**base)


def _messages(exc: ValidationError) -> dict:
    return {field: " ".join(messages) for field, messages in exc.message_dict.items()}


def test_equity_is_worked_out_when_left_empty(stat_a, enterprise_a, year):
    row = _row(enterprise_a, year)
    row.full_clean()
    row.save()
    row.refresh_from_db()
    assert row.equity == Decimal("600.00")


def test_negative_equity_of_an_insolvent_enterprise_is_accepted(stat_a, enterprise_a, year):
    row = _row(enterprise_a, year, assets=Decimal("100"), liabilities=Decimal("250"), equity=Decimal("-150"))
    row.full_clean()
    row.save()
    assert EnterpriseReturn.objects.get().equity == Decimal("-150.00")


def test_equity_that_does_not_balance_is_refused(stat_a, enterprise_a, year):
    row = _row(enterprise_a, year, equity=Decimal("650"))
    with pytest.raises(ValidationError) as caught:
        row.full_clean()
    text = _messages(caught.value)["equity"]
    assert "所有者权益应等于资产总额减负债总额" in text and "1,000.00 − 400.00 = 600.00" in text and "650.00" in text


def test_uses_beyond_the_subsidy_are_refused(enterprise_a, year):
    YearStatFactory(enterprise=enterprise_a, year=year, remitted_to_education=Decimal("5000"))
    row = _row(enterprise_a, year, use_school_conditions=Decimal("4000"), use_other=Decimal("1000.01"))
    with pytest.raises(ValidationError) as caught:
        row.full_clean()
    text = _messages(caught.value)["use_other"]
    assert "5,000.01" in text and "5,000.00" in text and "超过了" in text
    row.use_other = Decimal("1000")  # exactly the subsidy: accepted
    row.full_clean()


def test_a_row_needs_the_enterprise_yearly_figures(enterprise_a, year):
    with pytest.raises(ValidationError) as caught:
        _row(enterprise_a, year).full_clean()
    assert "还没有企业年度数据" in _messages(caught.value)["enterprise"]


def test_second_row_of_the_year_is_refused(return_b, enterprise_b, year):
    with pytest.raises(ValidationError) as caught:
        _row(enterprise_b, year).full_clean()
    assert "已经填写过" in _messages(caught.value)["enterprise"]


def test_limits_apply_with_the_portal_wording(stat_a, enterprise_a, year):
    row = _row(enterprise_a, year, assets=Decimal("1000000001"), tax_relief=Decimal("-1"))
    with pytest.raises(ValidationError) as caught:
        row.full_clean()
    found = _messages(caught.value)
    assert "资产总额应在 0 至 1,000,000,000 元之间" in found["assets"]
    assert "减免税金应在 0 至 1,000,000,000 元之间" in found["tax_relief"]


def test_every_error_shown_at_once(enterprise_a, year):
    YearStatFactory(enterprise=enterprise_a, year=year, remitted_to_education=Decimal("10"))
    row = _row(enterprise_a, year, equity=Decimal("1"), use_other=Decimal("11"))
    with pytest.raises(ValidationError) as caught:
        row.full_clean()
    assert {"equity", "use_other"} <= set(caught.value.message_dict)


def _post(enterprise, year, **values):
    data = {
        "enterprise": enterprise.pk,
        "year": year.pk,
        "sector": "industry",
        "output_value": "100",
        "assets": "900",
        "liabilities": "400",
        "equity": "",
        "tax_relief": "0",
        "use_base_building": "0",
        "use_school_conditions": "100",
        "use_collective_welfare": "0",
        "use_personal_welfare": "0",
        "use_other": "0",
        "year_end_balance": "10",
        "note": "",
    }
    data.update(values)
    return data


def test_page_refuses_bad_input_and_saves_nothing(director_client, stat_a, enterprise_a, year):
    url = reverse("statreturn:create")
    response = director_client.post(url, _post(enterprise_a, year, equity="499", use_other="99999999"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "所有者权益应等于资产总额减负债总额" in body and "补贴教育经费的各项用途合计" in body
    assert not EnterpriseReturn.objects.exists()
    response = director_client.post(url, _post(enterprise_a, year, assets="abc"))
    assert "资产总额请填写" in response.content.decode()  # the portal's wording of a number not typed as one
    assert not EnterpriseReturn.objects.exists()
    response = director_client.post(url, _post(enterprise_a, year))
    assert response.status_code == 302
    row = EnterpriseReturn.objects.get()
    assert (row.equity, row.use_school_conditions) == (Decimal("500.00"), Decimal("100.00"))


def test_edit_recomputes_equity_and_keeps_history(director_client, return_b):
    url = reverse("statreturn:edit", args=[return_b.pk])
    page = director_client.get(url)
    assert page.context["form"]["equity"].value() is None  # left to be worked out again
    data = _post(return_b.enterprise, return_b.year, assets="800", liabilities="100", row_version=return_b.version)
    assert director_client.post(url, data).status_code == 302
    return_b.refresh_from_db()
    assert return_b.equity == Decimal("700.00")
    assert return_b.history.count() == 2
    history = director_client.get(reverse("history", args=["statreturn", "enterprisereturn", return_b.pk]))
    assert history.status_code == 200


def test_factory_row_is_valid(return_b):
    return_b.full_clean()
    assert EnterpriseReturnFactory._meta.model is EnterpriseReturn
