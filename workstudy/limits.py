"""The range of every number a user can type, declared once, and the portal's own words for
every refusal of a typed value.

Each kind of number (an area in 亩, money in 元, a unit price, a quantity, a count of
people, days, a percentage, a year) is a :class:`Limit`. A model declares a field with the
factories below (:func:`money_field`, :func:`count_field`...): the field's database size
and its :class:`InRange` validator both come from the limit, so every path that validates
the model (pages, API, Excel, admin) refuses the same values with the same message (rule
CORE-01). Values computed from typed ones (value = quantity x price, a base's revenue,
a profit) are checked with :meth:`Limit.check_computed` in the model's ``clean()``.

:func:`field_messages` gives the messages for a form or API field: Django's and DRF's
generic texts ("确认总共不超过 10 个数字.", "该字段是必填项。") never reach a user.
"""

from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from .rules import VALUE_IN_RANGE

CODE = VALUE_IN_RANGE.code


def _number(value) -> str:
    """1000000 -> '1,000,000'; 12.5 -> '12.5' (no needless zeros)."""
    number = Decimal(value)
    if number == number.to_integral_value():
        return f"{number:,.0f}"
    return f"{number.normalize():,f}"


def _shown(value) -> str:
    text = str(value)
    try:
        text = _number(Decimal(text))
    except (InvalidOperation, ValueError):
        pass
    return text if len(text) <= 30 else text[:27] + "…"


class Limit:
    """The allowed range of one kind of number, in the user's unit."""

    def __init__(self, name: str, low, high, unit, *, places: int = 2, max_digits: int = 14):
        self.name = name
        self.low = Decimal(low)
        self.high = Decimal(high)
        self.unit = unit
        self.places = places
        self.max_digits = max_digits  # the column's size; every value in range fits it
        assert self.high < Decimal(10) ** (max_digits - places), name

    @property
    def integer(self) -> bool:
        return self.places == 0

    def contains(self, value) -> bool:
        try:
            number = Decimal(value)
        except (InvalidOperation, TypeError, ValueError):
            return False
        return number.is_finite() and self.low <= number <= self.high

    def message(self, label, value=None) -> str:
        unit = f" {self.unit}" if str(self.unit) else ""
        params = {"label": label, "low": _number(self.low), "high": _number(self.high), "unit": unit}
        if value is None or value == "":
            return str(VALUE_IN_RANGE.message) % params
        return str(_("%(label)s应在 %(low)s 至 %(high)s%(unit)s之间，现在填的是 %(value)s。")) % {
            **params, "value": _shown(value)}

    def template(self, label) -> str:
        """:meth:`message` with the typed value left as ``%(value)s`` (every other "%" doubled),
        for Django's form validators, which fill in ``value`` themselves."""
        marker = "\x00VALUE\x00"
        text = self.message(label, marker).replace("%", "%%")
        return text.replace(marker, "%(value)s")

    def error(self, label, value=None) -> ValidationError:
        return ValidationError(self.message(label, value), code=CODE)

    def check_computed(self, value, field_name: str, what, formula) -> None:
        """Refuse a computed value out of range: ``what`` (e.g. 产值) = ``formula`` (how it is
        computed, e.g. 产量 × 平均单价), attached to ``field_name``."""
        if value is None or self.contains(value):
            return
        raise ValidationError({field_name: [ValidationError(str(_(
            "%(what)s（%(formula)s）为 %(value)s%(unit)s，超过了上限 %(high)s%(unit)s，请核对。"
        )) % {"what": what, "formula": formula, "value": _shown(value), "unit": f" {self.unit}" if str(self.unit) else "",
              "high": _number(self.high)}, code=CODE)]})

    def validator(self) -> InRange:
        return InRange(self.name)


@deconstructible
class InRange:
    """Field validator: the value lies within the named limit. The message names the field
    when raised through :func:`clean_fields_messages`; on its own it says 此项 (this item)."""

    def __init__(self, limit: str, label=None):
        self.limit = limit
        self.label = label

    def __call__(self, value):
        if value is None:
            return
        limit = LIMITS[self.limit]
        if not limit.contains(value):
            raise limit.error(self.label or _("此项"), value)

    def __eq__(self, other):
        return isinstance(other, InRange) and other.limit == self.limit and other.label == self.label

    def deconstruct(self):
        return ("workstudy.limits.InRange", (self.limit,), {})


AREA = Limit("AREA", 0, 100_000, _("亩"), max_digits=10)
MONEY = Limit("MONEY", 0, 1_000_000_000, _("元"))
PRICE = Limit("PRICE", 0, 1_000_000, _("元"))
QUANTITY = Limit("QUANTITY", 0, 100_000_000, "", max_digits=12)
PEOPLE = Limit("PEOPLE", 0, 1_000_000, _("人"), places=0, max_digits=10)
COUNT = Limit("COUNT", 0, 10_000_000, "", places=0, max_digits=10)
DAYS = Limit("DAYS", 0, 366, _("天"), places=0, max_digits=5)
PERCENT = Limit("PERCENT", 0, 100, "%", max_digits=5)
YEAR = Limit("YEAR", 1900, 2100, _("年"), places=0, max_digits=5)
# What one week can hold: class periods (a school day has at most 8) and hours.
PERIODS_PER_WEEK = Limit("PERIODS_PER_WEEK", 0, 40, _("课时"), max_digits=12)
HOURS_PER_WEEK = Limit("HOURS_PER_WEEK", 0, 168, _("小时"), max_digits=12)
LIMITS = {limit.name: limit for limit in (AREA, MONEY, PRICE, QUANTITY, PEOPLE, COUNT, DAYS, PERCENT, YEAR,
                                          PERIODS_PER_WEEK, HOURS_PER_WEEK)}


def _decimal(limit: Limit, verbose_name, kwargs) -> models.DecimalField:
    kwargs["validators"] = [limit.validator(), *kwargs.get("validators", ())]
    return models.DecimalField(verbose_name, max_digits=limit.max_digits, decimal_places=limit.places, **kwargs)


def money_field(verbose_name, limit: Limit = MONEY, **kwargs) -> models.DecimalField:
    """Money in 元 with 2 places."""
    return _decimal(limit, verbose_name, kwargs)


def area_field(verbose_name, **kwargs) -> models.DecimalField:
    return _decimal(AREA, verbose_name, kwargs)


def quantity_field(verbose_name, limit: Limit = QUANTITY, **kwargs) -> models.DecimalField:
    return _decimal(limit, verbose_name, kwargs)


def percent_field(verbose_name, **kwargs) -> models.DecimalField:
    return _decimal(PERCENT, verbose_name, kwargs)


def count_field(verbose_name, limit: Limit = PEOPLE, **kwargs) -> models.PositiveIntegerField:
    kwargs["validators"] = [limit.validator(), *kwargs.get("validators", ())]
    return models.PositiveIntegerField(verbose_name, **kwargs)


def year_field(verbose_name, **kwargs) -> models.PositiveSmallIntegerField:
    kwargs["validators"] = [YEAR.validator(), *kwargs.get("validators", ())]
    return models.PositiveSmallIntegerField(verbose_name, **kwargs)


def limit_of(field) -> Limit | None:
    """The limit a model field declares (None: not a limited number)."""
    for validator in getattr(field, "validators", ()):
        if isinstance(validator, InRange):
            return LIMITS[validator.limit]
    return None


# -- the portal's words for a refused value ------------------------------------------------

# Django's (forms and models) and DRF's error codes for a typed value that is not accepted.
_RANGE_CODES = ("max_digits", "max_whole_digits", "min_value", "max_value", "max_string_length")


# Codes whose message Django fills with the error's params ("%" must be doubled in the rest).
_FORM_PARAM_CODES = frozenset({
    "invalid_choice", "invalid_pk_value", "min_value", "max_value", "step_size", "max_digits",
    "max_decimal_places", "max_whole_digits", "max_length", "min_length",
})


def field_messages(label, limit: Limit | None = None, *, kind: str = "", style: str = "form") -> dict:
    """Error messages for a field labelled ``label``: a dict of Django's (``style="form"``) or
    DRF's (``style="api"``) error codes. ``kind`` is "integer", "decimal" or "" when the field
    is not a number. A form's range messages quote what was typed (Django passes it).

    Worded once per label, limit, kind, style and language in a process (every API request
    words every field of its serializer, about three hundred translations), and copied for
    the caller."""
    from django.utils.translation import get_language

    return dict(_field_messages(str(label), limit, kind, style, get_language()))


@functools.lru_cache(maxsize=4096)
def _field_messages(label: str, limit: Limit | None, kind: str, style: str, language: str | None) -> dict:
    form = style == "form"

    def say(text, code="", **params):
        # Django fills a form's message for these codes with %-params: a literal "%" in the
        # label (教育局承担比例（%）) is doubled so the filling cannot break.
        name = str(label).replace("%", "%%") if form and code in _FORM_PARAM_CODES else str(label)
        return str(text) % {"label": name, **params}

    codes_choose = ("invalid_choice", "does_not_exist", "incorrect_type", "invalid_list", "invalid_pk_value",
                    "list", "not_a_list")
    messages = {code: say(_("%(label)s：请从列表中选择。"), code) for code in codes_choose}
    messages.update({code: say(_("请填写%(label)s。")) for code in ("required", "null", "blank", "empty")})
    messages.update({
        "max_length": say(_("%(label)s太长了，请缩短。"), "max_length"),
        "min_length": say(_("%(label)s太短了。"), "min_length"),
        "invalid": say(_("%(label)s的格式不对，请检查。")),
    })
    if not (kind or limit is not None):
        return messages
    integer = kind == "integer" or (limit is not None and limit.integer)
    messages["invalid"] = say(_("%(label)s请填写整数，例如 12。") if integer else _("%(label)s请填写数字，例如 12.5。"))
    messages["max_string_length"] = messages["invalid"]
    messages["max_decimal_places"] = say(
        _("%(label)s最多保留 %(places)s 位小数。"), "max_decimal_places", places=limit.places if limit else 2)
    if limit is not None:
        for code in _RANGE_CODES:
            in_form = form and code != "max_string_length"
            messages[code] = limit.template(label) if in_form else limit.message(label)
        return messages
    # A number the portal gives no limit (e.g. an order): Django's bounds, in our words.
    too_big = say(_("%(label)s的数字太大了，请核对。"), "max_digits")
    messages.update({
        "min_value": say(_("%(label)s不能小于 %(limit)s。"), "min_value",
                         limit="%(limit_value)s" if form else "{min_value}"),
        "max_value": say(_("%(label)s不能大于 %(limit)s。"), "max_value",
                         limit="%(limit_value)s" if form else "{max_value}"),
        "max_digits": too_big, "max_whole_digits": too_big, "max_string_length": too_big,
    })
    return messages


def number_kind(field) -> str:
    """"integer", "decimal" or "" for a model, form or API field."""
    from django import forms
    from rest_framework import serializers

    # Decimal first: Django's form DecimalField and FloatField are subclasses of IntegerField.
    if isinstance(field, (models.DecimalField, models.FloatField, forms.DecimalField, forms.FloatField,
                          serializers.DecimalField, serializers.FloatField)):
        return "decimal"
    if isinstance(field, (models.IntegerField, forms.IntegerField, serializers.IntegerField)):
        return "integer"
    return ""


def model_field(model, name: str):
    """``model``'s field ``name``, or None (no model, or a field of the form or API alone)."""
    try:
        return model._meta.get_field(name) if model is not None and name else None
    except Exception:  # noqa: BLE001 - FieldDoesNotExist, or a property or method of the same name
        return None


def model_error(field, error: ValidationError, value) -> str | None:
    """The portal's message for a model field's ``error`` (None: keep its message)."""
    code = error.code
    limit = limit_of(field)
    label = field.verbose_name
    if code == CODE or (limit is not None and code in _RANGE_CODES):  # CODE: raised by InRange
        return limit.message(label, value) if limit is not None else None
    params = error.params or {}
    if code in ("min_value", "max_value") and "limit_value" in params:
        text = _("%(label)s不能小于 %(limit)s。") if code == "min_value" else _("%(label)s不能大于 %(limit)s。")
        return str(text) % {"label": label, "limit": _shown(params["limit_value"])}
    if code == "invalid" and field.is_relation:
        return str(_("%(label)s：找不到“%(value)s”，可能已被删除，请从列表中选择。")) % {
            "label": label, "value": _shown(value)}
    if code == "unique":
        return str(_("%(label)s“%(value)s”已经有了，请换一个。")) % {"label": label, "value": _shown(value)}
    messages = field_messages(label, limit, kind=number_kind(field), style="model")
    if code == "invalid" and value in (None, ""):
        return None
    return messages.get(code)
