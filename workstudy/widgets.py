"""Pickers: the one way to choose a school (or another many-rowed thing, such as a labor
base) in a form or a list filter.

A county has 30-300 schools, a province 15,000. A ``<select>`` of every school the user
can see is friendly at county size and costs most of a page's time at province size,
so :class:`SchoolChoiceField` renders

* a normal ``<select>`` when the user can see at most ``SCHOOL_PICKER_THRESHOLD``
  schools (setting, default 200);
* otherwise a text input where the user types a school code or (part of) its name.
  ``static/js/picker.js`` fills a ``<datalist>`` with suggestions from
  ``/schools/search/?q=`` (:mod:`workstudy.views_schools`, scoped by
  :func:`workstudy.scoping.schools_for`). Without JavaScript the server resolves
  the text (see :meth:`SchoolChoiceField.resolve`) and says clearly when nothing or
  more than one school matches.

Either way the cleaned value is a :class:`~workstudy.models.School` from the field's
queryset, so scoping stays where it was: pass the schools the user may choose.

Forms (a ModelForm's ``school`` foreign key, or any school field)::

    from workstudy import scoping
    from workstudy.widgets import use_school_picker

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        use_school_picker(self, "school", scoping.schools_for(user), active_only=True)

``use_school_picker`` replaces the field in place and keeps its label, help text,
required flag, initial value and ``disabled``. Templates need nothing else: the
widget loads its own script.

List filters (``?school=`` keeps accepting a school id, so existing links work)::

    from workstudy.widgets import SchoolFilterForm

    school_filter = SchoolFilterForm(request.GET, user=request.user)
    qs = school_filter.filter(qs)       # no rows when the typed school is not found
    context["school_filter"] = school_filter
    context["querystring"] = school_filter.querystring(request.GET)  # school as an id

    {% include "partials/school_filter.html" with form=school_filter %}

An all-digit value is first taken as a school id (every link the portal makes uses
ids; school codes carry letters or are 10-digit 学校标识码), then as a code.

Other kinds (an app's labor bases, plots...) describe themselves once with a
:class:`PickerKind` — label, exact match, search, what a user may pick — registered with
:func:`register_picker`; :func:`use_picker` then gives a form field the same behaviour,
and ``/pick/<key>/?q=`` serves its suggestions (:mod:`workstudy.views_schools`).
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from . import scoping
from .models import School

DEFAULT_THRESHOLD = 200
MAX_QUERY_LENGTH = 100
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_query(text, *, limit: int | None = MAX_QUERY_LENGTH) -> str:
    """What a user typed in a search box or picker, as the database may be asked it: control
    characters dropped (PostgreSQL refuses a NUL in a query), spaces collapsed, at most
    ``limit`` characters. Every search and every picker lookup goes through here."""
    text = " ".join(_CONTROL.sub(" ", str(text or "")).split())
    return text if limit is None else text[:limit]


def picker_threshold() -> int:
    """Above this many visible schools a school field is a text input with suggestions."""
    return int(getattr(settings, "SCHOOL_PICKER_THRESHOLD", DEFAULT_THRESHOLD))


def school_label(school: School) -> str:
    """How a school is shown in pickers and suggestions: code, then name."""
    return f"{school.code} {school.name}"


def search_schools(queryset, text: str, *, limit: int = 20) -> list[School]:
    """Up to ``limit`` schools of ``queryset`` whose code starts with or name contains ``text``."""
    text = clean_query(text)
    qs = queryset.only("pk", "code", "name").order_by("code")
    if text:
        code, _sep, name = text.partition(" ")
        match = Q(code__istartswith=text) | Q(name__icontains=text)
        if name:
            match |= Q(code__iexact=code, name__icontains=name)
        qs = qs.filter(match)
    return list(qs[:limit])


class PickerKind:
    """How one kind of object is picked when there are too many for a drop-down.

    ``label`` is what the user sees and may type back; ``find_exact`` the objects a typed
    text names exactly; ``search`` the suggestions; ``for_user`` what the suggestions
    endpoint may offer this user (always through :mod:`workstudy.scoping`), narrowed by
    the search URL's parameters (``params``: the request's GET). Messages are the field's
    ``not_found`` / ``ambiguous`` / ``invalid_choice`` errors, in the user's language.
    """

    key = ""
    placeholder = _("输入名称搜索")
    hint = _("输入几个字，再从出现的提示中选择。")  # under the box: the placeholder goes once typing starts
    input_size = 28  # characters: the labels must fit
    messages: dict = {}

    def label(self, obj) -> str:
        return str(obj)

    def find_exact(self, queryset, text: str) -> list:
        return []

    def search(self, queryset, text: str, *, limit: int) -> list:
        raise NotImplementedError

    def for_user(self, user, params):
        raise NotImplementedError

    def search_url(self) -> str:
        return reverse("picker_search", args=[self.key])

    def as_json(self, obj) -> dict:
        return {"id": obj.pk, "label": self.label(obj)}


class SchoolKind(PickerKind):
    key = "school"
    placeholder = _("输入学校代码或校名")
    hint = ""  # a code or a unique part of a name is enough; list filters stay one line
    messages = {
        "invalid_choice": _("请选择有效的学校。"),
        "not_found": _("未找到学校“%(value)s”，请输入学校代码或完整校名。"),
        "ambiguous": _("“%(value)s”对应多所学校，请输入学校代码或完整校名，或从提示中选择。"),
    }

    def label(self, obj) -> str:
        return school_label(obj)

    def find_exact(self, queryset, text: str) -> list:
        code, _sep, name = text.partition(" ")
        exact = Q(code__iexact=text) | Q(name=text)
        if name:
            exact |= Q(code__iexact=code, name=name)
        return list(queryset.filter(exact)[:2])

    def search(self, queryset, text: str, *, limit: int) -> list:
        return search_schools(queryset, text, limit=limit)

    def for_user(self, user, params):
        schools = scoping.schools_for(user)
        return schools.filter(active=True) if params.get("active") == "1" else schools

    def search_url(self) -> str:
        return reverse("school_search")

    def as_json(self, obj) -> dict:
        return {"id": obj.pk, "code": obj.code, "name": obj.name, "label": school_label(obj)}


_KINDS: dict[str, PickerKind] = {}


def register_picker(kind: PickerKind) -> PickerKind:
    """Make ``kind`` known to the suggestions endpoint ``/pick/<kind.key>/``."""
    _KINDS[kind.key] = kind
    return kind


def picker_kind(key: str) -> PickerKind | None:
    return _KINDS.get(key)


SCHOOLS = register_picker(SchoolKind())


class PickerWidget(forms.Select):
    """A ``<select>``, or a text input with a ``<datalist>`` when ``text_input`` is set
    (by :class:`PickerChoiceField`, which knows how many objects there are to choose from)."""

    text_template_name = "partials/picker.html"

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs, choices)
        self.text_input = False
        self.search_url = ""
        self.kind = "school"

    def get_context(self, name, value, attrs):
        if not self.text_input:
            return super().get_context(name, value, attrs)
        # Not ChoiceWidget.get_context: that would iterate every school.
        context = forms.Widget.get_context(self, name, value, attrs)
        widget = context["widget"]
        widget["value"] = "" if value is None else str(value)
        widget["datalist_id"] = f"{widget['attrs'].get('id') or name}_suggestions"
        widget["search_url"] = self.search_url
        widget["kind"] = self.kind
        return context

    def format_value(self, value):
        if not self.text_input:
            return super().format_value(value)
        return "" if value is None else str(value)

    def use_required_attribute(self, initial):
        if self.text_input:
            return not self.is_hidden
        return super().use_required_attribute(initial)

    def render(self, name, value, attrs=None, renderer=None):
        if not self.text_input:
            return super().render(name, value, attrs, renderer)
        context = self.get_context(name, value, attrs)
        return mark_safe(render_to_string(self.text_template_name, context))  # noqa: S308 (autoescaped template)


class PickerChoiceField(forms.ModelChoiceField):
    """Choose one object of ``queryset``: a ``<select>`` up to the threshold, a text input
    with suggestions above it (see module doc). ``kind`` says how its objects are labelled,
    matched and searched; ``search_params`` narrow the suggestions like the queryset."""

    widget = PickerWidget
    kind: PickerKind = SCHOOLS

    def __init__(self, queryset=None, *, kind: PickerKind | None = None, threshold: int | None = None,
                 search_params: dict | None = None, **kwargs):
        if kind is not None:
            self.kind = kind
        self.threshold = threshold
        self.search_params = dict(search_params or {})
        self._text_input: bool | None = None
        self._resolved: dict[str, object] = {}
        kwargs["error_messages"] = {**self.kind.messages, **(kwargs.get("error_messages") or {})}
        super().__init__(queryset, **kwargs)

    def _set_queryset(self, queryset):
        super()._set_queryset(queryset)
        self._text_input = None
        self._resolved = {}

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    def label_from_instance(self, obj):
        return self.kind.label(obj)

    def uses_text_input(self) -> bool:
        """True when there are more objects to choose from than a drop-down should hold (one query)."""
        if self._text_input is None:
            limit = self.threshold if self.threshold is not None else picker_threshold()
            self._text_input = self.queryset.all()[: limit + 1].count() > limit
        return self._text_input

    def get_bound_field(self, form, field_name):
        text = self.uses_text_input()
        self.widget.text_input = text
        if text:
            params = f"?{urlencode(self.search_params)}" if self.search_params else ""
            self.widget.search_url = self.kind.search_url() + params
            self.widget.kind = self.kind.key
            self.widget.attrs.setdefault("placeholder", self.kind.placeholder)
            self.widget.attrs.setdefault("autocomplete", "off")
            self.widget.attrs.setdefault("size", self.kind.input_size)
        # The placeholder goes as soon as the user types: say under the box how it works.
        if not hasattr(self, "_own_help"):
            self._own_help = self.help_text
        parts = (self.kind.hint, self._own_help) if text else (self._own_help,)
        self.help_text = " ".join(str(part) for part in parts if part)
        return super().get_bound_field(form, field_name)

    def selected(self, bound_field):
        """The object ``bound_field`` names right now (the submitted text or id, else the
        initial value), or None; never raises (for hints shown beside the form)."""
        data = bound_field.initial
        if bound_field.form.is_bound:
            data = self.bound_data(bound_field.data, data)
        if isinstance(data, self.queryset.model):
            return data
        try:
            return self.to_python(data)
        except forms.ValidationError:
            return None

    def prepare_value(self, value):
        if not self.uses_text_input():
            return super().prepare_value(value)
        if isinstance(value, self.queryset.model):
            return self.kind.label(value)
        if isinstance(value, int):
            obj = self.queryset.filter(pk=value).first()
            return self.kind.label(obj) if obj else str(value)
        if isinstance(value, str) and clean_query(value, limit=None) in self._resolved:
            return self.kind.label(self._resolved[clean_query(value, limit=None)])
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, self.queryset.model | int) or not self.uses_text_input():
            return super().to_python(value)
        if not clean_query(value, limit=None):
            return None  # only spaces or control characters: nothing typed
        return self.resolve(str(value))

    def resolve(self, raw: str):
        """The one object of the queryset that ``raw`` names, else a ValidationError.

        Tried in order: an id (all digits; links and the ``<select>`` use ids), the kind's
        exact matches (for a school: code, name, or "code name" as the suggestions fill
        in), then the kind's search if it finds exactly one object.
        """
        text = clean_query(raw, limit=None)
        if text in self._resolved:
            return self._resolved[text]
        obj = self._lookup(text)
        self._resolved[text] = obj
        return obj

    def _lookup(self, text: str):
        shown = text[:MAX_QUERY_LENGTH]
        if len(text) > MAX_QUERY_LENGTH:
            raise forms.ValidationError(self.error_messages["not_found"], code="not_found", params={"value": shown})
        qs = self.queryset
        if text.isdigit():
            obj = qs.filter(pk=int(text)).first()
            if obj is not None:
                return obj
        hits = self.kind.find_exact(qs, text)
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise forms.ValidationError(self.error_messages["ambiguous"], code="ambiguous", params={"value": shown})
        hits = self.kind.search(qs, text, limit=2)  # what the suggestions would offer
        if len(hits) == 1:
            return hits[0]
        key = "ambiguous" if hits else "not_found"
        raise forms.ValidationError(self.error_messages[key], code=key, params={"value": shown})

    def has_changed(self, initial, data):
        if not self.uses_text_input():
            return super().has_changed(initial, data)
        if self.disabled:
            return False
        return str(self.prepare_value(initial) or "") != clean_query(data, limit=None)


class SchoolChoiceField(PickerChoiceField):
    """Choose one school of ``queryset``; ``active_only``: schools in use only."""

    kind = SCHOOLS

    def __init__(self, queryset=None, *, active_only: bool = False, threshold: int | None = None, **kwargs):
        self.active_only = active_only
        kwargs.setdefault("label", _("学校"))
        if queryset is None:
            queryset = School.objects.all()
        super().__init__(queryset, threshold=threshold, search_params={"active": "1"} if active_only else None,
                         **kwargs)

    # The queryset is often replaced after the form is built: keep it to active schools, by code.
    def _set_queryset(self, queryset):
        if queryset is not None and getattr(self, "active_only", False):
            queryset = queryset.filter(active=True)
        if queryset is not None:
            queryset = queryset.order_by("code")
        super()._set_queryset(queryset)

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)


def chosen_pk(bound_field) -> int | None:
    """The id of the object a choice field names right now — a picker's typed text, a
    drop-down's value or the initial value — or None when it names nothing valid."""
    field = bound_field.field
    if isinstance(field, PickerChoiceField):
        obj = field.selected(bound_field)
        return obj.pk if obj is not None else None
    try:
        return int(bound_field.value())
    except (TypeError, ValueError):
        return None


def _replace_field(form, name: str, field_class, queryset, **kwargs):
    """Put a ``field_class`` over ``queryset`` in place of ``form.fields[name]``, keeping its
    label, help text, required flag, initial value, disabled state and empty label."""
    old = form.fields[name]
    field = field_class(
        queryset,
        required=old.required,
        label=old.label,
        help_text=old.help_text,
        initial=old.initial,
        disabled=old.disabled,
        empty_label=getattr(old, "empty_label", "---------"),
        **kwargs,
    )
    form.fields[name] = field
    return field


def use_picker(form, name: str, queryset, kind: PickerKind, *, search_params: dict | None = None) -> PickerChoiceField:
    """Make ``form.fields[name]`` a :class:`PickerChoiceField` of ``kind`` over ``queryset``
    (``search_params``: what narrows the suggestions like the queryset, e.g. the year)."""
    return _replace_field(form, name, PickerChoiceField, queryset, kind=kind, search_params=search_params)


def use_school_picker(form, name: str, schools, *, active_only: bool = False) -> SchoolChoiceField:
    """Make ``form.fields[name]`` a :class:`SchoolChoiceField` over ``schools``."""
    return _replace_field(form, name, SchoolChoiceField, schools, active_only=active_only)


class SchoolFilterForm(forms.Form):
    """The ``?school=`` filter of a list page: a picker over the schools the user can see."""

    def __init__(self, data, *, user, field_name: str = "school"):
        self.field_name = field_name
        super().__init__(data if data and data.get(field_name) else None)
        self.fields[field_name] = SchoolChoiceField(
            scoping.schools_for(user), required=False, empty_label=_("全部"), label=_("学校")
        )

    @property
    def school(self) -> School | None:
        """The chosen school, or None (no filter, or the input named no school)."""
        return self.cleaned_data.get(self.field_name) if self.is_bound and self.is_valid() else None

    @property
    def failed(self) -> bool:
        return self.is_bound and not self.is_valid()

    def filter(self, qs):
        """``qs`` narrowed to the chosen school; no rows when the input named no school."""
        if self.failed:
            return qs.none()
        school = self.school
        return scoping.filter_school_year(qs, school=school) if school is not None else qs

    def querystring(self, params) -> str:
        """``params`` without ``page``, with the school as its id (for export and paging links)."""
        query = params.copy()
        query.pop("page", None)
        if self.school is not None:
            query[self.field_name] = str(self.school.pk)
        return query.urlencode()


__all__ = [
    "SCHOOLS", "PickerChoiceField", "PickerKind", "PickerWidget", "SchoolChoiceField", "SchoolFilterForm",
    "chosen_pk", "clean_query", "picker_kind", "picker_threshold", "register_picker", "school_label",
    "search_schools", "use_picker", "use_school_picker",
]
