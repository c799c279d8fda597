"""Letters typed into a number field get the words of that kind of number: a money or area
field asks for a number with decimals, a count field for a whole number (form, model, API)."""

import pytest
from django import forms
from rest_framework import serializers

from labor_bases.forms import ProductionLineForm
from labor_bases.models import ProductionLine
from workstudy import limits


@pytest.mark.parametrize("field, kind", [
    (forms.DecimalField(), "decimal"), (forms.FloatField(), "decimal"), (forms.IntegerField(), "integer"),
    (serializers.DecimalField(max_digits=14, decimal_places=2), "decimal"), (serializers.IntegerField(), "integer"),
    (ProductionLine._meta.get_field("unit_price"), "decimal"), (forms.CharField(), ""),
])
def test_the_kind_of_each_number_field(field, kind):
    assert limits.number_kind(field) == kind


@pytest.mark.django_db
def test_letters_in_a_price_ask_for_a_number_with_decimals():
    form = ProductionLineForm(data={"unit_price": "abc", "quantity": "abc"})
    form.is_valid()
    for name in ("unit_price", "quantity"):
        message = " ".join(form.errors[name])
        assert "请填写数字，例如 12.5。" in message and "整数" not in message, message


def test_a_fields_words_are_made_once_per_language_and_each_caller_gets_its_own():
    """field_messages keeps the words it made (an API request words every field): in the
    reader's language each time, and a caller changing its copy changes no other caller's."""
    from django.utils import translation

    price = limits.PRICE
    with translation.override("zh-hans"):
        chinese = limits.field_messages("单价", price, kind="decimal", style="api")
        chinese["invalid"] = "changed by this caller"
        assert limits.field_messages("单价", price, kind="decimal", style="api")["invalid"] == "单价请填写数字，例如 12.5。"
    with translation.override("en"):
        english = limits.field_messages("单价", price, kind="decimal", style="api")
    assert english["invalid"] != "单价请填写数字，例如 12.5。" and "12.5" in english["invalid"], english["invalid"]
    assert english["required"] != chinese["required"]
