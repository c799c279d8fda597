"""Every refusal of a typed value is the portal's own: its field named, its range given, in
full-width Chinese punctuation (and the same in English). Never Django's or DRF's generic
text ("确认总共不超过 10 个数字.", "输入一个数字。", "该字段是必填项。", "请填写合法的数字。").

The test walks every form of the project (the pages' and the admin's) and every API
serializer that writes, fills every field with unlucky values (empty, letters, huge,
negative, too many decimals, far too long, an unknown choice) and reads every message back.
"""

from __future__ import annotations

import importlib
import inspect
import re

import pytest
from django import forms
from django.contrib import admin
from django.core import validators
from django.db import models
from django.test import RequestFactory
from django.utils import translation
from rest_framework import fields as drf_fields
from rest_framework import relations as drf_relations
from rest_framework import serializers

from tests.enterprises.factories import EnterpriseFactory
from workstudy import api as core_api

APPS = ["workstudy", "labor_bases", "logistics", "insurance", "enterprises", "reports", "labor_education"]
HAN = re.compile(r"[\u4e00-\u9fff]")


def _template_pattern(text: str) -> re.Pattern:
    """A default message (with %(x)s or {x} placeholders) as a regex matching any filling."""
    parts = re.split(r"%\(\w+\)[sdfr]|\{\w+\}", str(text))
    return re.compile("^" + ".*".join(re.escape(part) for part in parts) + "$", re.S)


def _text(value) -> str:
    """A message as text; a lazy plural (str() gives "") filled with 7, then 7 matches anything."""
    text = str(value)
    if not text:
        try:
            text = str(value % {"max": 7, "limit_value": 7, "show_value": 7, "value": 7, "length": 7})
        except (KeyError, TypeError, ValueError):
            return ""
        text = text.replace("7", "%(n)s")
    return text


def _defaults(language: str) -> list[re.Pattern]:
    """Every generic message Django's form and model fields, its validators and DRF's fields
    can give, in ``language``."""
    texts: set[str] = set()
    with translation.override(language):
        classes = [forms.Field, models.Field, drf_fields.Field, drf_relations.RelatedField]
        seen = set()
        while classes:
            cls = classes.pop()
            if cls in seen:
                continue
            seen.add(cls)
            classes.extend(cls.__subclasses__())
            messages = cls.__dict__.get("default_error_messages")
            if isinstance(messages, dict):
                texts.update(_text(value) for value in messages.values())
        for name in dir(validators):
            validator = getattr(validators, name)
            if inspect.isclass(validator):
                for attr in ("message",):
                    if isinstance(getattr(validator, attr, None), (str, type(validators.MinValueValidator.message))):
                        texts.add(_text(getattr(validator, attr)))
                messages = getattr(validator, "messages", None)
                if isinstance(messages, dict):
                    texts.update(_text(value) for value in messages.values())
    texts.discard("")
    return [_template_pattern(text) for text in texts if len(text) > 3]


def _project_classes(base, module_suffixes):
    found = []
    for app in APPS:
        for suffix in module_suffixes:
            try:
                module = importlib.import_module(f"{app}.{suffix}")
            except ModuleNotFoundError:
                continue
            for _name, obj in vars(module).items():
                if not (inspect.isclass(obj) and issubclass(obj, base) and obj.__module__ == module.__name__
                        and not obj.__name__.startswith("_") and "Mixin" not in obj.__name__):
                    continue
                meta = getattr(obj, "Meta", None) or getattr(obj, "_meta", None)
                if issubclass(obj, (forms.BaseModelForm, serializers.ModelSerializer)) and not getattr(
                        meta, "model", None):
                    continue  # a base class: its subclasses are walked
                found.append(obj)
    return found


UNLUCKY = ["", "abc", "9" * 40, "-1", "1.23456", "x" * 30000, "zzz-unknown"]


def _instantiate(form_class, data, world):
    params = inspect.signature(form_class.__init__).parameters
    kwargs = {name: value for name, value in world.items() if name in params}
    if issubclass(form_class, forms.BaseFormSet):
        return None
    return form_class(data=data, **kwargs)


def _messages_of(form) -> list[tuple[str, str]]:
    form.is_valid()
    return [(name, str(message)) for name, errors in form.errors.items() for message in errors]


@pytest.fixture
def world(director, year, school_a):
    return {"user": director, "year": year, "enterprise": EnterpriseFactory(), "policy": None,
            "can_approve": True}


def _check(messages, defaults, where, language):
    bad = []
    for field, text in messages:
        if any(pattern.match(text) for pattern in defaults):
            bad.append(f"{where}.{field}: generic message {text[:120]!r}")
        elif language == "zh-hans" and HAN.search(text) and re.search(r"[A-Za-z一-龥0-9)]\.$", text):
            bad.append(f"{where}.{field}: ends with an English full stop: {text!r}")
    return bad


def _all_forms():
    classes = _project_classes(forms.BaseForm, ["forms"])
    site_forms = []
    request = RequestFactory().get("/")
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in APPS:
            continue
        site_forms.append((model, model_admin, request))
    return classes, site_forms


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_form_field_speaks_with_the_portals_voice(world, director, language):
    defaults = _defaults(language)
    classes, site_forms = _all_forms()
    assert len(classes) > 25, "forms were not found"
    bad: list[str] = []
    checked = 0
    with translation.override(language):
        for form_class in classes:
            probe = _instantiate(form_class, None, world)
            if probe is None:
                continue
            for value in UNLUCKY:
                data = {name: value for name in probe.fields}
                form = _instantiate(form_class, data, world)
                messages = _messages_of(form)
                checked += len(messages)
                bad += _check(messages, defaults, form_class.__name__, language)
        request = RequestFactory().get("/")
        request.user = director
        for model, model_admin, _request in site_forms:
            form_class = model_admin.get_form(request)
            for value in UNLUCKY:
                form = form_class(data={name: value for name in form_class.base_fields})
                messages = _messages_of(form)
                checked += len(messages)
                bad += _check(messages, defaults, f"admin:{model.__name__}", language)
    assert checked > 500
    assert not bad, "\n".join(sorted(set(bad))[:60])


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_api_field_speaks_with_the_portals_voice(world, director, language):
    defaults = _defaults(language)
    classes = [c for c in _project_classes(serializers.Serializer, ["api"])
               if issubclass(c, core_api.PortalSerializerMixin)]
    assert len(classes) > 15, "serializers were not found"
    request = RequestFactory().post("/")
    request.user = director
    bad: list[str] = []
    checked = 0
    with translation.override(language):
        for serializer_class in classes:
            writable = [name for name, f in serializer_class(context={"request": request}).fields.items()
                        if not f.read_only]
            for value in UNLUCKY:
                serializer = serializer_class(data={name: value for name in writable}, context={"request": request})
                serializer.is_valid()
                messages = [(name, str(m)) for name, errors in serializer.errors.items()
                            for m in (errors if isinstance(errors, list) else [errors])]
                checked += len(messages)
                bad += _check(messages, defaults, serializer_class.__name__, language)
    assert checked > 200
    assert not bad, "\n".join(sorted(set(bad))[:60])


def test_the_check_knows_djangos_words():
    """The walk above would see Django's and DRF's texts if they came through."""
    defaults = _defaults("zh-hans")
    for generic in ("输入一个数字。", "该字段是必填项。", "这个字段是必填项。", "请填写合法的数字。"):
        if any(p.match(generic) for p in defaults):
            break
    else:
        pytest.fail("none of Django's or DRF's generic messages was recognised")
    field = forms.DecimalField(max_digits=10, decimal_places=2)
    with translation.override("zh-hans"), pytest.raises(forms.ValidationError) as raised:
        field.clean("999999999999")
    assert any(p.match(raised.value.messages[0]) for p in defaults), raised.value.messages
