"""``get_FOO_display()`` of the portal's models (:class:`workstudy.models.ChoiceLabels`) gives
what Django's gives, for every field with choices of every model that uses it, for each choice,
for values that are no choice, in Chinese and in English (the labels are read once, in
whatever language came first, and still translated at each call)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from workstudy.models import ChoiceLabels

MODELS = [model for model in apps.get_models() if issubclass(model, ChoiceLabels)]
FIELDS = [(model, field) for model in MODELS for field in model._meta.concrete_fields if field.choices]


def test_the_domain_models_and_the_core_ones_use_it():
    names = {model._meta.label for model in MODELS}
    assert {"workstudy.User", "workstudy.School", "workstudy.Submission", "workstudy.WorkflowEvent",
            "labor_bases.ProductionLine", "labor_bases.LandParcel"} <= names
    assert len(FIELDS) >= 20


@pytest.mark.parametrize("model, field", FIELDS, ids=[f"{m._meta.label}.{f.name}" for m, f in FIELDS])
def test_each_label_is_djangos_in_each_language(model, field):
    values = [value for value, _label in field.flatchoices] + [None, "", "不是选项", 12345]
    for language in ("zh-hans", "en", "zh-hans"):
        with translation.override(language):
            for value in values:
                row = model()
                setattr(row, field.attname, value)
                shown = getattr(row, f"get_{field.name}_display")()
                assert shown == models.Model._get_FIELD_display(row, field), (language, value)
                assert type(shown) is type(models.Model._get_FIELD_display(row, field))


def test_the_english_label_follows_the_language_of_the_moment():
    from labor_bases.models import ProductionLine

    field = next(f for f in ProductionLine._meta.concrete_fields if f.choices)
    value = field.flatchoices[0][0]
    row = ProductionLine()
    setattr(row, field.attname, value)
    with translation.override("zh-hans"):
        chinese = getattr(row, f"get_{field.name}_display")()
    with translation.override("en"):
        english = getattr(row, f"get_{field.name}_display")()
    assert chinese != english
