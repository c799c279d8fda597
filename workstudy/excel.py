"""Excel (.xlsx) templates, import with preview, and export — one pipeline for every data kind.

An app describes a data kind with a :class:`PortalResource` (django-import-export) and
registers it once in ``ready()``::

    excel.register("labor_plots", PlotResource, title=_("地块"))

Every registered kind then gets, at ``excel:template`` / ``excel:import`` / ``excel:export``:

* a template .xlsx (:mod:`workstudy.excel_template`): Chinese headers with a note each,
  drop-down lists, a marked example row that the import leaves out, an instructions sheet;
* upload -> checks of the file itself (size, zip bomb, merged cells, formulas, columns,
  row limit, full-width digits, thousands separators, 万 units, text dates, duplicates)
  -> a preview that checks every row (the models' own validation, nothing written) and
  lists every bad row and column in plain words -> confirm -> the rows are saved all
  together or not at all. The upload is kept in the database between preview and
  confirm, so any app server can finish it. A 10,000-row file costs the same few
  queries per file whatever its number of rows or schools (see :class:`_Import`);
* every row is checked against :mod:`workstudy.scoping`: a principal's upload can only
  touch their own school in an open year;
* export of the rows the user may see, streamed row by row by :mod:`workstudy.xlsx_writer`
  with cells that start with = + - @ escaped so a spreadsheet never runs them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import DatabaseError, connection, models, transaction
from django.db.models.expressions import DatabaseDefault
from django.db.models.fields import NOT_PROVIDED
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from import_export import fields as ie_fields
from import_export import resources, widgets

from . import names as year_names
from . import scoping, xlsx_reader
from .constraints import validate_in_python

# The registry lives in a light module so that registering a kind imports nothing heavy.
from .excel_registry import Registration, get_registration, register, registrations  # noqa: F401
from .models import DomainModel, ReportingYear, School, portal_field_errors
from .xlsx_writer import HEADER_RGB, Sheet, escape_cell, write_xlsx  # noqa: F401  (escape_cell: re-exported)

# ---------------------------------------------------------------------------
# Widgets: resolve references inside the user's scope, with Chinese messages.
#
# A reference widget answers from a table read for the whole file by ``prefetch(rows,
# column)`` (one query per column, whatever the number of rows); a value that the table
# was not built for is looked up on its own, with the same result.

IN_CHUNK = 2000  # values per IN (...) list: SQLite limits a statement's parameters


def cell_text(value) -> str:
    return str(value).strip() if value is not None else ""


def in_chunks(values, size: int = IN_CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


class SchoolWidget(widgets.ForeignKeyWidget):
    """A 学校 column: the school's code or name, looked up among the schools the user sees.

    For a principal an empty cell means their own school; any other school is refused.
    """

    cache_columns = ()  # the answer depends on the cell alone (per-file memo)

    def __init__(self, **kwargs):
        super().__init__(School, field="name", **kwargs)
        self.user = None
        self._table: dict[str, list] | None = None
        self._known: set = set()

    def prefetch(self, rows, column) -> None:
        if self.user is None:
            return
        texts = {cell_text(row.get(column)) for row in rows} - {""}
        found: dict[str, dict] = {}
        for chunk in in_chunks(texts):
            for school in scoping.schools_for(self.user).filter(models.Q(code__in=chunk) | models.Q(name__in=chunk)):
                for key in (school.code, school.name):
                    found.setdefault(key, {})[school.pk] = school
        # Several matches (a code that is another school's name): the first by code, as .first() would.
        self._table = {key: sorted(schools.values(), key=lambda s: s.code) for key, schools in found.items()}
        self._known = texts

    def _find(self, text):
        if self._table is not None and text in self._known:
            found = self._table.get(text)
            return found[0] if found else None
        return scoping.schools_for(self.user).filter(models.Q(code=text) | models.Q(name=text)).first()

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        user = self.user
        if not text:
            if user is not None and user.is_principal:
                return user.school
            raise ValueError(_("请填写学校名称或代码。"))
        school = self._find(text) if user is not None else None
        if school is None:
            if user is not None and user.is_principal:
                raise ValueError(_("“%(value)s”不是本校，您只能导入本校（%(own)s）的数据。") % {
                    "value": text, "own": user.school.name})
            raise ValueError(_("找不到学校“%(value)s”，请填写学校全称或学校代码。") % {"value": text})
        return school

    def render(self, value, obj=None, **kwargs):
        return value.name if value is not None else ""

    def template_choices(self, *, school=None, year=None) -> list[str]:
        """The schools this column accepts from the user (the template's drop-down list)."""
        if self.user is None:
            return []
        schools = scoping.schools_for(self.user)
        if school is not None:
            schools = schools.filter(pk=getattr(school, "pk", school))
        return list(schools.order_by("code").values_list("name", flat=True))


class YearWidget(widgets.ForeignKeyWidget):
    """A 年度 column (e.g. 2024); empty means the year chosen on the upload page."""

    cache_columns = ()

    def __init__(self, **kwargs):
        super().__init__(ReportingYear, field="year", **kwargs)
        self.default_year = None
        self._table: dict[int, ReportingYear] | None = None
        self._known: set = set()

    @staticmethod
    def _year_text(value) -> str:
        text = cell_text(value)
        return text[:-2] if text.endswith(".0") else text

    def prefetch(self, rows, column) -> None:
        numbers = {int(text) for text in (self._year_text(row.get(column)) for row in rows) if text.isdigit()}
        self._table = {year.pk: year for year in ReportingYear.objects.filter(pk__in=numbers)}
        self._known = numbers

    def clean(self, value, row=None, **kwargs):
        text = self._year_text(value)
        if not text:
            if self.default_year is not None:
                return self.default_year
            raise ValueError(_("请填写年度，例如 2024。"))
        if not text.isdigit():
            raise ValueError(_("年度“%(value)s”应为四位数字，例如 2024。") % {"value": text})
        number = int(text)
        if self._table is not None and number in self._known:
            year = self._table.get(number)
        else:
            year = ReportingYear.objects.filter(pk=number).first()
        if year is None:
            raise ValueError(_("统计年度 %(value)s 尚未开放。") % {"value": text})
        return year

    def render(self, value, obj=None, **kwargs):
        return value.year if value is not None else ""

    def template_choices(self, *, school=None, year=None) -> list[int]:
        """The years data may be imported into (a locked year is refused by the scope check)."""
        return list(scoping.entry_years().values_list("year", flat=True))


class ScopedForeignKeyWidget(widgets.ForeignKeyWidget):
    """Any other reference, looked up by ``field`` among the rows the user may see."""

    cache_columns = ()

    def __init__(self, model, field="name", label=None, **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.user = None
        self.label = label or model._meta.verbose_name
        self._table: dict | None = None
        self._known: set = set()

    def get_queryset(self, value, row, *args, **kwargs):
        return scoping.visible(self.user, self.model) if self.user is not None else self.model.objects.none()

    def _key(self, text):
        return self.model._meta.get_field(self.field).to_python(text)

    def prefetch(self, rows, column) -> None:
        if self.user is None or "__" in self.field:
            return
        keys = set()
        for row in rows:
            text = cell_text(row.get(column))
            if text:
                try:
                    keys.add(self._key(text))
                except ValidationError:
                    continue  # such a cell is looked up (and refused) on its own
        attname = self.model._meta.get_field(self.field).attname
        table: dict = {}
        for chunk in in_chunks(keys):
            for obj in self.get_queryset(None, None).filter(**{f"{attname}__in": chunk}):
                table.setdefault(getattr(obj, attname), []).append(obj)
        self._table, self._known = table, keys

    def _matches(self, text) -> list:
        if self._table is not None:
            try:
                key = self._key(text)
            except ValidationError:
                key = None
            if key is not None and key in self._known:
                return self._table.get(key, [])[:2]
        return list(self.get_queryset(text, None).filter(**{self.field: text})[:2])

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        matches = self._matches(text)
        if not matches:
            raise ValueError(_("找不到%(label)s“%(value)s”。") % {"label": self.label, "value": text})
        if len(matches) > 1:
            raise ValueError(_("%(label)s“%(value)s”不唯一，请联系勤工办。") % {"label": self.label, "value": text})
        return matches[0]

    def template_choices(self, *, school=None, year=None) -> list:
        """The values of ``field`` among the rows this widget looks references up in (narrowed to
        ``school`` when the model belongs to schools)."""
        if self.user is None or "__" in self.field:
            return []
        qs = self.get_queryset(None, None)
        if school is not None and scoping.scope_of(self.model).school is not None:
            qs = scoping.filter_school_year(qs, school=school)
        values = qs.order_by(self.field).values_list(self.field, flat=True).distinct()
        return [value for value in values if value not in (None, "")]


class ChoiceWidget(widgets.Widget):
    """A choice column: accepts the Chinese label (or the stored value), exports the label."""

    cache_columns = ()

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = list(choices)
        self.by_label = {str(label): value for value, label in self.choices}
        self.values = {value for value, _label in self.choices}

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return ""
        if text in self.by_label:
            return self.by_label[text]
        if text in self.values:
            return text
        allowed = "、".join(str(label) for _v, label in self.choices)
        raise ValueError(_("“%(value)s”不是可选项，请填写：%(allowed)s。") % {"value": text, "allowed": allowed})

    def render(self, value, obj=None, **kwargs):
        for stored, label in self.choices:
            if stored == value:
                return str(label)
        return value or ""

    def template_choices(self, *, school=None, year=None) -> list[str]:
        return [str(label) for _value, label in self.choices]


class BooleanCNWidget(widgets.Widget):
    TRUE = {"是", "有", "1", "true", "True", "TRUE", "Y", "y", "yes"}
    FALSE = {"否", "无", "0", "false", "False", "FALSE", "N", "n", "no", ""}
    cache_columns = ()

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(_("请填写“是”或“否”。"))

    def render(self, value, obj=None, **kwargs):
        return _("是") if value else _("否")

    def template_choices(self, *, school=None, year=None) -> list[str]:
        return ["是", "否"]  # what clean() accepts, in any language


# ---------------------------------------------------------------------------
# Resource base


class PortalResource(resources.ModelResource):
    """Base for every importable/exportable data kind.

    Subclasses declare fields with Chinese ``column_name``s and, in ``Meta``, the model,
    ``fields``, ``import_id_fields`` (natural keys, e.g. school+year+product) and
    optionally ``export_select_related``. Help texts for the template (its instruction sheet
    and the header cells' notes) come from ``column_help = {column_name: "说明"}``;
    ``keep_default_when_empty`` names the fields whose empty cell keeps the model's default
    instead of being imported as empty. The template's drop-down lists come from the
    widgets' ``template_choices()`` (the values their ``clean()`` accepts), its example row
    from ``example_values``; :meth:`rows_url` links an import's result to the rows written.

    The declarations are read by :class:`_Import` (the import) and by :func:`write_export`;
    django-import-export's row-by-row ``import_data`` is not used, so per-field hooks such
    as ``import_field`` are not called (a subclass that overrides one is refused).
    """

    column_help: dict[str, str] = {}
    keep_default_when_empty: frozenset[str] | set[str] = frozenset()
    # Columns a file may leave out (added after templates were handed out): when one is
    # missing, its field is not touched.
    optional_columns: frozenset[str] | set[str] = frozenset()
    # The template's example row: {column name: value}; columns with a drop-down list not
    # named here take the list's first value (see workstudy.excel_template).
    example_values: dict = {}

    class Meta:
        abstract = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for hook in ("import_field", "import_instance", "import_row", "get_instance", "save_instance",
                     "validate_instance", "before_import_row", "after_import_row", "skip_row"):
            if getattr(cls, hook) is not getattr(resources.ModelResource, hook):
                raise TypeError(f"{cls.__name__}.{hook} is never called by workstudy.excel; "
                                "declare keep_default_when_empty or change the model's clean() instead")

    def __init__(self, *, user=None, year: ReportingYear | None = None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.default_year = year
        for field in self.fields.values():
            widget = field.widget
            if hasattr(widget, "coerce_to_string"):
                widget.coerce_to_string = False  # numbers stay numbers in the .xlsx
            if hasattr(widget, "user"):
                widget.user = user
            if isinstance(widget, YearWidget):
                widget.default_year = year

    # Rows the importer may update, and the exporter may read: the user's scope.
    def get_queryset(self):
        return scoping.visible(self.user, self._meta.model)

    def column_names(self) -> list[str]:
        return [field.column_name for field in self.get_import_fields()]

    def export_columns(self) -> list[ie_fields.Field]:
        return self.get_export_fields()

    def export_queryset(self, *, year=None, school=None):
        qs = scoping.visible(self.user, self._meta.model)
        qs = scoping.filter_school_year(qs, school=school, year=year)
        related = getattr(self._meta, "export_select_related", None) or getattr(self, "export_select_related", ())
        if related:
            qs = qs.select_related(*related)
        return qs.order_by("pk")

    def template_choices(self, field, *, school=None, year=None) -> tuple[list, bool]:
        """(the values a cell of ``field``'s column may take, whether only those) for the
        template's drop-down list: asked of the widget that converts the column on import,
        so the list and the import accept the same values. ``([], False)``: no list."""
        choices = getattr(field.widget, "template_choices", None)
        if field.readonly or choices is None:
            return [], False
        return list(choices(school=school, year=year)), True

    def template_example(self, lists: dict, *, school=None, year=None) -> dict:
        """The template's example row, {column: value}: ``example_values``, the template's
        school and year, and for any other column with a strict drop-down list (``lists``:
        {column: (values, strict)}) the list's first value. Read-only columns stay empty."""
        row = {}
        for field in self.get_import_fields():
            column, widget = field.column_name, field.widget
            if field.readonly:
                continue
            if column in self.example_values:
                row[column] = self.example_values[column]
            elif isinstance(widget, SchoolWidget) and school is not None:
                row[column] = school.name
            elif isinstance(widget, YearWidget) and year is not None:
                row[column] = year.year
            elif column in lists and lists[column][1]:
                row[column] = lists[column][0][0]
        return row

    def rows_url(self, *, year: int, school: int | None = None) -> str:
        """The list page showing the rows an import of this kind wrote for ``year`` (and
        ``school`` when they are all one school's); "" when the kind has no such page."""
        return ""


# ---------------------------------------------------------------------------
# The import of one checked file: every row converted, validated and saved together.
#
# Per row: the cells are converted by the resource's widgets (references from a table
# read once per file), the model instance is found by its natural key (one query per
# file) or made new, and validated with the model's own clean_fields() and clean().
# Per file, in one query each: that every foreign key exists, and every unique field,
# unique_together and UniqueConstraint (Django's checks, run for all rows at once, plus
# duplicates between rows of the file). Check constraints made of plain lookups are
# evaluated in Python (workstudy.constraints, same answer as the database); other
# constraints run row by row as in full_clean(). A model whose clean() reads other tables
# may read them for all rows at once in a ``cleaning_many(instances)`` context manager
# (e.g. the 学平险 coverage's student counts). Then the scope: rows of bureau-only kinds, a locked year, another school
# or a closed submission are refused (asked once per school and year).
# Saving (not in a preview): existing rows one by one through save() (optimistic
# locking, history, the model's own side effects); new rows with bulk_create and one
# INSERT ... SELECT of their history rows, when the model allows it (see _bulk_capable).


def _bulk_capable(model) -> bool:
    """New rows may be written with bulk_create when ``save()`` does nothing more on insert
    than DomainModel's, or the model says what it does (``bulk_prepare``/``bulk_saved``)."""
    return issubclass(model, DomainModel) and (model.save is DomainModel.save or hasattr(model, "bulk_prepare"))


_SKIP = object()  # a cell that could not be converted (its error is recorded)


class _Kept:
    """An empty cell of a keep_default_when_empty field: the attribute keeps the model's
    default, and the converted empty value still counts in the natural key."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def _int_cell(widget):
    def convert(value, row):
        # check_file leaves an int or "" in a number column; anything else goes to the widget.
        if type(value) is int:
            return value
        return None if value is None or value == "" else widget.clean(value, row=row)
    return convert


def _decimal_cell(widget):
    def convert(value, row):
        kind = type(value)
        if kind is Decimal:
            return value
        if kind is int:
            return Decimal(value)
        return None if value is None or value == "" else widget.clean(value, row=row)
    return convert


def _text_cell(widget):
    def convert(value, row):
        return value if type(value) is str else widget.clean(value, row=row)
    return convert


def _converter(field):
    """A function (cell value, row) -> the field's Python value, raising ValueError."""
    widget = field.widget
    if field.default is not NOT_PROVIDED:
        return lambda value, row: field.clean(row)
    kind = type(widget)
    if kind is widgets.IntegerWidget:
        return _int_cell(widget)
    if kind is widgets.DecimalWidget:
        return _decimal_cell(widget)
    if kind is widgets.CharWidget and widget.allow_blank:
        return _text_cell(widget)
    clean = widget.clean
    columns = getattr(widget, "cache_columns", None)
    if columns is None:  # a widget that did not say what its answer depends on: no memo
        return lambda value, row: clean(value, row=row)
    columns = tuple(columns)
    memo: dict = {}

    def convert(value, row):
        # Each distinct cell (with the row's cache_columns) is converted once per file;
        # the type is part of the key because True == 1 == 1.0 in a dict.
        key = (type(value), value, *(row.get(c) for c in columns))
        try:
            ok, answer = memo[key]
        except KeyError:
            try:
                ok, answer = True, clean(value, row=row)
            except (ValueError, ValidationError) as exc:
                ok, answer = False, exc
            memo[key] = (ok, answer)
        except TypeError:  # an unhashable value: no memo
            return clean(value, row=row)
        if ok:
            return answer
        raise answer

    return convert


def _quoted(message: str, value) -> str:
    """A widget's message with a long cell value it quotes cut short."""
    if isinstance(value, str) and len(value) > PREVIEW_CHARS and value in message:
        return message.replace(value, clip(value))
    return str(message)


def _add_error(errors: dict, exc: ValidationError, key=NON_FIELD_ERRORS) -> None:
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    else:
        errors.setdefault(key, []).extend(exc.messages)


class _Row:
    __slots__ = ("number", "data", "values", "instance", "new", "errors", "exclude", "bad", "keyless")

    def __init__(self, number: int, data: dict):
        self.number = number
        self.data = data
        self.values: list = []
        self.instance = None
        self.new = True
        self.errors: dict[str, list[str]] = {}
        self.exclude: set[str] = set()
        self.bad: set[str] = set()  # fields whose cell was refused when the file was read
        self.keyless = False  # checked on a blank instance: its natural key is wrong or taken


class _Import:
    """Check (and, with :meth:`save`, write) the rows of one file for one resource."""

    def __init__(self, resource: PortalResource, rows: list[dict], columns: set[str] | None = None):
        self.resource = resource
        self.user = resource.user
        self.model = model = resource._meta.model
        optional = resource.optional_columns
        self.fields = [
            field for field in resource.get_import_fields()
            if field.attribute and not field.readonly and not isinstance(field.widget, widgets.ManyToManyWidget)
            and (columns is None or field.column_name in columns or field.column_name not in optional)
        ]
        self.converters = [_converter(field) for field in self.fields]
        keep = set(resource.keep_default_when_empty)
        self.keep = [field.attribute in keep for field in self.fields]
        id_names = list(resource.get_import_id_fields())
        position = {field.attribute: i for i, field in enumerate(self.fields)}
        self.id_positions = [position[resource.fields[name].attribute] for name in id_names]
        self.key_columns = [resource.fields[name].column_name for name in id_names]
        self.rows = [_Row(data["__row__"], data) for data in rows]
        self.fk_fields = [f for f in model._meta.concrete_fields if f.many_to_one and not f.remote_field.parent_link]
        self.scope = scoping.scope_of(model)
        self._write_checks: dict[tuple, str | None] = {}
        self.targets: set[tuple] = set()  # (school pk, year pk) of the rows whose scope was checked
        self.new = self.update = 0
        self.current_row: int | None = None  # the row being saved one by one, named if it fails
        self._field_memo: dict = {}
        self._fields_plan: list | None = None

    # -- checking -------------------------------------------------------------------

    def check(self) -> None:
        self._convert()
        self._find_instances()
        valid = [row for row in self.rows if row.instance is not None]
        for row in valid:
            self._apply(row)
            self._clean_fields(row)
        self._check_foreign_keys(valid)
        # A model may read what its clean() needs for all rows at once (``cleaning_many``).
        cleaning_many = getattr(self.model, "cleaning_many", None)
        with cleaning_many([row.instance for row in valid]) if cleaning_many else contextlib.nullcontext():
            for row in valid:
                self._clean(row)
        self._check_unique(valid)
        for row in valid:
            if not (row.errors or row.bad or row.keyless):
                self._check_scope(row)
        self.new = sum(1 for row in valid if row.new)
        self.update = len(valid) - self.new

    def _convert(self) -> None:
        for field in self.fields:
            prefetch = getattr(field.widget, "prefetch", None)
            if prefetch is not None:
                prefetch([row.data for row in self.rows], field.column_name)
        items = list(zip(self.fields, self.converters, self.keep, strict=True))
        for row in self.rows:
            data = row.data
            values = row.values
            for field, convert, keep in items:
                value = data.get(field.column_name)
                if value is BAD:  # already reported by check_file
                    row.bad.add(field.attribute)
                    values.append(_SKIP)
                    continue
                if keep and (value is None or value == ""):
                    try:
                        values.append(_Kept(convert(value, data)))
                    except (ValueError, ValidationError):
                        values.append(_Kept(None))
                    continue
                try:
                    values.append(convert(value, data))
                except ValueError as exc:
                    row.errors[field.attribute] = [_quoted(force_str(exc), value)]
                    values.append(_SKIP)
                except ValidationError as exc:
                    row.errors[field.attribute] = [_quoted(message, value) for message in exc.messages]
                    values.append(_SKIP)

    def _blank(self, row: _Row, message: str | None = None) -> None:
        """Check the row's other cells on a new instance, its natural key aside."""
        if message:
            row.errors[NON_FIELD_ERRORS] = [message]
        row.instance, row.new, row.keyless = self.model(), True, True

    @staticmethod
    def _key_part(value):
        if type(value) is _Kept:
            value = value.value
        return value.pk if isinstance(value, models.Model) else value

    def _find_instances(self) -> None:
        """Match each row to an existing row by its natural key (one query per file), or a new one."""
        model = self.model
        attnames = [model._meta.get_field(self.fields[i].attribute).attname for i in self.id_positions]
        keyed = []
        for row in self.rows:
            if any(self.fields[i].attribute in row.errors or self.fields[i].attribute in row.bad
                   for i in self.id_positions):
                self._blank(row)  # the key's own cell is wrong: reported; the other cells still checked
                continue
            keyed.append((row, tuple(self._key_part(row.values[i]) for i in self.id_positions)))
        existing = self._existing(attnames, [key for _row, key in keyed]) if attnames else {}
        seen: dict[tuple, int] = {}
        for row, key in keyed:
            if attnames and key in seen:  # two spellings of one key, e.g. a school's code and its name
                self._blank(row, _("与第 %(other)s 行重复（%(cols)s 相同）。") % {
                    "other": seen[key], "cols": "、".join(self.key_columns)})
                continue
            seen[key] = row.number
            found = existing.get(key, [])
            if len(found) > 1:
                self._blank(row, _("文件中这一行对应了多条已有记录，请联系勤工办。"))
                continue
            if found:
                reason = self._obj_block_reason(found[0])
                if reason:
                    self._blank(row, reason)
                    continue
                row.instance, row.new = found[0], False
            else:
                row.instance = model()

    def _obj_block_reason(self, obj) -> str | None:
        """scoping.obj_write_block_reason, asked once per school and year of the file's rows."""
        key = ("obj", getattr(scoping.school_of(obj), "pk", None), getattr(scoping.year_of(obj), "pk", None))
        if key not in self._write_checks:
            self._write_checks[key] = scoping.obj_write_block_reason(self.user, obj)
        return self._write_checks[key]

    def _existing(self, attnames: list[str], keys: list[tuple]) -> dict[tuple, list]:
        """The visible rows whose natural key is one of ``keys``, by key."""
        qs = self.resource.get_queryset()
        related = [path for path in (self.scope.school, self.scope.year) if path]
        if related:
            qs = qs.select_related(*related)
        found: dict[tuple, list] = {}
        by_first: dict = {}
        for key in set(keys):
            by_first.setdefault(key[0], []).append(key)
        # One query per 2,000 values of the key's first field (e.g. bases); the other fields
        # narrow it while their lists stay short, and each row's key is matched exactly below.
        for chunk in in_chunks(by_first):
            chunk_keys = [key for first in chunk for key in by_first[first]]
            filters = {}
            for i, name in enumerate(attnames):
                values = {key[i] for key in chunk_keys}
                if None not in values and len(values) <= IN_CHUNK:  # NULL never matches IN (...)
                    filters[f"{name}__in"] = values
            for obj in qs.filter(**filters):
                found.setdefault(tuple(getattr(obj, name) for name in attnames), []).append(obj)
        return found

    def _apply(self, row: _Row) -> None:
        instance = row.instance
        for field, value in zip(self.fields, row.values, strict=True):
            if value is _SKIP or type(value) is _Kept:
                continue
            if "__" in field.attribute:
                field.save(instance, row.data)
            else:
                setattr(instance, field.attribute, value)
        row.exclude = set(row.errors) | row.bad
        if row.keyless:
            row.exclude |= {self.fields[i].attribute for i in self.id_positions}

    def _clean_fields(self, row: _Row) -> None:
        """Model.clean_fields, leaving foreign keys' "does it exist" to _check_foreign_keys.

        Django's loop, except that a built-in field cleans each distinct value once per file
        (its answer depends on the value alone); the same errors, the same cleaned values.
        """
        instance = row.instance
        if type(instance).clean_fields is not models.Model.clean_fields:
            skip = {f.name for f in self.fk_fields if getattr(instance, f.attname) is not None}
            try:
                instance.clean_fields(exclude=row.exclude | skip)
            except ValidationError as exc:
                _add_error(row.errors, exc)
            return
        exclude = row.exclude
        memo = self._field_memo
        for f, memoised in self._plain_fields():
            if f.name in exclude:
                continue
            raw = getattr(instance, f.attname)
            if f.blank and raw in f.empty_values:
                continue
            if f.many_to_one and raw is not None:  # its existence is checked for the whole file
                continue
            if isinstance(raw, DatabaseDefault):
                continue
            if memoised:
                kind = type(raw)
                key = (f, kind, raw.as_tuple() if kind is Decimal else raw)  # 1.5 == 1.50, not as digits
                try:
                    ok, answer = memo[key]
                except KeyError:
                    try:
                        ok, answer = True, f.clean(raw, instance)
                    except ValidationError as exc:
                        ok, answer = False, exc.error_list
                    memo[key] = (ok, answer)
                except TypeError:
                    memoised = False
            if not memoised:
                try:
                    ok, answer = True, f.clean(raw, instance)
                except ValidationError as exc:
                    ok, answer = False, exc.error_list
            if ok:
                setattr(instance, f.attname, answer)
            else:
                row.errors.setdefault(f.name, []).extend(ValidationError(answer).messages)

    def _plain_fields(self):
        if self._fields_plan is None:
            self._fields_plan = [
                (f, type(f).__module__.startswith("django.db.models.") and not f.many_to_one)
                for f in self.model._meta.fields if not f.generated
            ]
        return self._fields_plan

    def _check_foreign_keys(self, rows: list[_Row]) -> None:
        """ForeignKey.validate for every row at once: one query per foreign key."""
        for f in self.fk_fields:
            values = {
                getattr(row.instance, f.attname) for row in rows
                if f.name not in row.exclude and f.name not in row.errors
            } - {None}
            if not values:
                continue
            target = f.remote_field.field_name
            present = set()
            for chunk in in_chunks(values):
                qs = f.remote_field.model._base_manager.filter(**{f"{target}__in": chunk})
                present.update(qs.complex_filter(f.get_limit_choices_to()).values_list(target, flat=True))
            for row in rows:
                value = getattr(row.instance, f.attname)
                if value is None or value in present or f.name in row.exclude or f.name in row.errors:
                    continue
                error = ValidationError(
                    f.error_messages["invalid"], code="invalid",
                    params={"model": f.remote_field.model._meta.verbose_name, "pk": value, "field": target,
                            "value": value},
                )
                _add_error(row.errors, portal_field_errors(row.instance, ValidationError({f.name: [error]})))

    def _clean(self, row: _Row) -> None:
        """The model's clean(), and the constraints that cannot be checked for the whole file."""
        instance = row.instance
        try:
            instance.clean()
        except ValidationError as exc:
            _add_error(row.errors, exc)
        except DatabaseError:
            raise
        except Exception as exc:  # noqa: BLE001 - e.g. a rule reading a missing related row: this row fails
            if not row.errors and not row.bad:  # else a consequence of a cell already reported
                _add_error(row.errors, ValidationError(str(exc) or _("无法导入这一行。")))
        row.exclude |= {name for name in row.errors if name != NON_FIELD_ERRORS}
        _whole_file, per_row, date_checks = self._plan()
        if date_checks:  # unique_for_date and friends: Django's own per-row check
            _unique, dates = instance._get_unique_checks(exclude=row.exclude, include_meta_constraints=False)
            for name, messages in instance._perform_date_checks(dates).items():
                for message in messages:
                    row.errors.setdefault(name, []).extend(message.messages)
        for model_class, constraint in per_row:
            try:
                if not validate_in_python(constraint, model_class, instance, row.exclude):
                    constraint.validate(model_class, instance, exclude=row.exclude)  # one query
            except ValidationError as exc:
                if getattr(exc, "code", None) == "unique" and len(getattr(constraint, "fields", ())) == 1:
                    _add_error(row.errors, exc, constraint.fields[0])
                else:
                    _add_error(row.errors, exc)

    def _plan(self):
        """(unique checks done for the whole file, constraints checked row by row)."""
        if not hasattr(self, "_plan_cache"):
            probe = self.model()
            unique_checks, date_checks = probe._get_unique_checks(include_meta_constraints=False)
            whole_file = [(model_class, tuple(names), None) for model_class, names in unique_checks]
            per_row = []
            for model_class, constraints in probe.get_constraints():
                for constraint in constraints:
                    if (
                        isinstance(constraint, models.UniqueConstraint) and constraint.fields
                        and not constraint.condition and not constraint.expressions
                        and constraint.nulls_distinct is not False
                        and not any(model_class._meta.get_field(name).generated for name in constraint.fields)
                    ):
                        whole_file.append((model_class, tuple(constraint.fields), constraint))
                    else:
                        per_row.append((model_class, constraint))
            self._plan_cache = (whole_file, per_row, bool(date_checks))
        return self._plan_cache

    def _check_unique(self, rows: list[_Row]) -> None:
        """Django's unique checks (unique fields, unique_together, UniqueConstraint on fields)
        for all rows at once, and between the rows of the file."""
        empty_is_null = connection.features.interprets_empty_strings_as_nulls
        for model_class, names, constraint in self._plan()[0]:
            meta_fields = [self.model._meta.get_field(name) for name in names]
            candidates = []
            for row in rows:
                instance = row.instance
                if any(name in row.exclude for name in names):
                    continue
                key = tuple(getattr(instance, f.attname) for f in meta_fields)
                if any(v is None or (v == "" and empty_is_null) for v in key):
                    continue
                if constraint is None and not instance._state.adding and any(f.primary_key for f in meta_fields):
                    continue
                candidates.append((row, key))
            if not candidates:
                continue
            taken: dict[tuple, set] = {}
            attnames = [f.attname for f in meta_fields]
            for chunk in in_chunks(sorted({key for _row, key in candidates}, key=repr)):
                filters = {f"{name}__in": {key[i] for key in chunk} for i, name in enumerate(attnames)}
                for pk, *values in model_class._default_manager.filter(**filters).values_list("pk", *attnames):
                    taken.setdefault(tuple(values), set()).add(pk)
            in_file: set[tuple] = set()
            for row, key in candidates:
                instance = row.instance
                others = taken.get(key, set())
                if not instance._state.adding and instance.pk is not None:
                    others = others - {instance.pk}
                if others or key in in_file:
                    self._unique_error(row, model_class, names, constraint)
                in_file.add(key)

    @staticmethod
    def _unique_error(row: _Row, model_class, names: tuple, constraint) -> None:
        instance = row.instance
        if constraint is not None and constraint.violation_error_message != constraint.default_violation_error_message:
            _add_error(row.errors, ValidationError(constraint.get_violation_error_message(),
                                                   code=constraint.violation_error_code))
            return
        error = instance.unique_error_message(model_class, names)
        _add_error(row.errors, error, names[0] if len(names) == 1 else NON_FIELD_ERRORS)

    def _check_scope(self, row: _Row) -> None:
        if self.scope.school is None and not (self.user is not None and self.user.is_bureau):
            row.errors[NON_FIELD_ERRORS] = [_("此类数据由勤工办维护，学校不能导入。")]
            return
        instance = row.instance
        school, year = scoping.school_of(instance), scoping.year_of(instance)
        key = (getattr(school, "pk", school), getattr(year, "pk", year))
        if key not in self._write_checks:
            self._write_checks[key] = scoping.write_block_reason(self.user, school=school, year=year)
        if self._write_checks[key]:
            row.errors[NON_FIELD_ERRORS] = [self._write_checks[key]]
        else:
            self.targets.add(key)

    def issues(self) -> list[RowIssue]:
        column_of = {field.attribute: field.column_name for field in self.resource.get_import_fields()}
        found = []
        for row in self.rows:
            for name, messages in row.errors.items():
                if name == NON_FIELD_ERRORS:
                    column = ""
                else:
                    column = column_of.get(name) or self._label(name)
                found.extend(RowIssue(row.number, column, str(message)) for message in messages)
        return found

    def _label(self, name: str) -> str:
        try:
            return str(self.model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            return name

    # -- saving ---------------------------------------------------------------------

    def save(self) -> None:
        """Write the checked rows (call only when :meth:`check` found no problem)."""
        created = []
        for row in self.rows:
            if row.new:
                created.append(row)
            else:
                self.current_row = row.number
                row.instance.save()
        self.current_row = None
        if not created:
            return
        if _bulk_capable(self.model):
            _bulk_create_with_history([row.instance for row in created], user=self.user)
            return
        for row in created:
            self.current_row = row.number
            row.instance.save()
        self.current_row = None


def _history_insert(model):
    """SQL (and its parameter slots) copying just-inserted rows into their history table,
    or None when the history table has columns this does not know how to fill."""
    history = getattr(model, "history", None)
    if history is None:
        return None
    history_model = history.model
    quote = connection.ops.quote_name
    source = {f.attname: f for f in model._meta.concrete_fields}
    columns, selects, slots = [], [], []
    for f in history_model._meta.concrete_fields:
        if f is history_model._meta.pk:
            continue
        columns.append(quote(f.column))
        if f.name in ("history_date", "history_user", "history_type", "history_change_reason"):
            selects.append("%s")
            slots.append((f.name, f))
        elif f.attname in source:
            selects.append(quote(source[f.attname].column))
        else:
            return None
    sql = (f"INSERT INTO {quote(history_model._meta.db_table)} ({', '.join(columns)}) "
           f"SELECT {', '.join(selects)} FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} IN ")
    return sql, slots


def _bulk_create_with_history(objs: list, *, user) -> None:
    """New rows with bulk_create, their history rows ("+", the importing user) in one
    INSERT ... SELECT per chunk, and the model's bulk_prepare/bulk_saved around them."""
    from django.utils import timezone
    from simple_history.utils import bulk_create_with_history

    model = type(objs[0])
    if hasattr(model, "bulk_prepare"):
        model.bulk_prepare(objs)
    plan = _history_insert(model) if connection.features.can_return_rows_from_bulk_insert else None
    if plan is None:
        bulk_create_with_history(objs, model, batch_size=1000, default_user=user)
    else:
        model._default_manager.bulk_create(objs, batch_size=BULK_BATCH)
        if getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            sql, slots = plan
            fixed = {"history_date": timezone.now(), "history_user": getattr(user, "pk", None),
                     "history_type": "+", "history_change_reason": ""}
            params = [f.get_db_prep_save(fixed[name], connection) for name, f in slots]
            limit = (connection.features.max_query_params or 100_000) - len(params) - 1
            with connection.cursor() as cursor:
                for chunk in in_chunks([obj.pk for obj in objs], min(limit, 10_000)):
                    cursor.execute(sql + "(" + ", ".join(["%s"] * len(chunk)) + ")", [*params, *chunk])
    if hasattr(model, "bulk_saved"):
        model.bulk_saved(objs)


BULK_BATCH = 5000  # rows per INSERT, as the benchmark's lower bound (SQLite caps it lower)


# ---------------------------------------------------------------------------
# Reading and checking an uploaded file

FULLWIDTH_RE = re.compile(r"[\uff10-\uff19\uff0e\uff0c\uff0d\uff0b]")
PLAIN_NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")
THOUSANDS_RE = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
TEXT_DATE_RE = re.compile(r"^\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?$")


PREVIEW_CHARS = 200  # characters of one cell shown in the preview or quoted in a message
MESSAGE_CHARS = 600  # characters of one message at most
MAX_CELL_CHARS = 32_767  # Excel's own limit on one cell's text
INSTRUCTION_SHEETS = ("填写说明", "下拉选项")  # the template's other sheets, never the data
BAD = type("BadCell", (), {"__repr__": lambda self: "BAD", "__slots__": ()})()  # a cell already reported
# The template's example row starts with this mark in column A (before the column's value):
# a row so marked is never imported; the same row without the mark is. A user who types over
# the example row replaces the mark, and their row is imported.
EXAMPLE_MARK = "【示例】"


def is_example_mark(value) -> bool:
    return isinstance(value, str) and value.lstrip().startswith(EXAMPLE_MARK)


def clip(value, limit: int = PREVIEW_CHARS):
    """Text cut to ``limit`` characters (with "…"), anything else as it is."""
    if isinstance(value, str) and len(value) > limit:
        return value[:limit] + "…"
    return value


@dataclass
class RowIssue:
    row: int | None  # Excel row number (header is row 1); None for the whole file
    column: str
    message: str

    def __post_init__(self):
        self.message = clip(str(self.message), MESSAGE_CHARS)
        self.column = clip(self.column, 40)

    def __str__(self):
        if self.row is None:
            return self.message
        if self.column:
            return _("第 %(row)s 行，“%(column)s”列：%(message)s") % {
                "row": self.row, "column": self.column, "message": self.message}
        return _("第 %(row)s 行：%(message)s") % {"row": self.row, "message": self.message}


@dataclass
class ImportReport:
    issues: list[RowIssue]
    total_rows: int = 0
    new: int = 0
    update: int = 0
    preview: list[list] | None = None
    headers: list[str] | None = None
    sheet: str = ""  # the sheet that was read
    other_sheets: list[str] | None = None  # the workbook's other sheets, not read
    examples: list[int] = dataclasses.field(default_factory=list)  # rows marked 示例, left out
    targets: set[tuple] = dataclasses.field(default_factory=set)  # (school pk, year pk) of the rows checked clean

    @property
    def ok(self) -> bool:
        return not self.issues


class FileRejected(Exception):
    def __init__(self, message, sheet: str = "", other_sheets=()):
        super().__init__(message)
        self.sheet = sheet
        self.other_sheets = list(other_sheets)


def _numeric_kind(widget) -> str | None:
    if isinstance(widget, widgets.IntegerWidget):
        return "int"
    if isinstance(widget, (widgets.DecimalWidget, widgets.FloatWidget)):
        return "decimal"
    return None


def _is_date_widget(widget) -> bool:
    return isinstance(widget, (widgets.DateWidget, widgets.DateTimeWidget))


def read_sheet(data: bytes, names=(), skip=()):
    """Open an upload and pick its sheet (:meth:`xlsx_reader.Book.choose`): ``(book, sheet)``."""
    if len(data) > settings.EXCEL_MAX_UPLOAD_BYTES:
        raise FileRejected(_("文件太大（%(size)s MB），单个文件不能超过 %(limit)s MB，请分成几个文件上传。") % {
            "size": round(len(data) / 1024 / 1024, 1), "limit": settings.EXCEL_MAX_UPLOAD_BYTES // 1024 // 1024})
    try:
        book = xlsx_reader.Book(data)
        return book, book.choose(names, skip)
    except xlsx_reader.XlsxError as exc:
        raise FileRejected(str(exc)) from None


def read_rows(data: bytes):
    """Yield the rows of the upload's first visible sheet as tuples of cell values (rows
    without a value left out), as the import reads them."""
    book, sheet = read_sheet(data)
    try:
        for _number, cells in book.rows(sheet):
            width = max(cells)
            yield tuple(cells.get(column) for column in range(1, width + 1))
    except xlsx_reader.XlsxError as exc:
        raise FileRejected(str(exc)) from None
    finally:
        book.close()


def _cell_kind(widget) -> str | None:
    """How check_file reads a column: "int", "decimal", "date", "datetime" or as text (None)."""
    kind = _numeric_kind(widget)
    if kind:
        return kind
    if isinstance(widget, widgets.DateWidget):
        return "date"
    if isinstance(widget, widgets.DateTimeWidget):
        return "datetime"
    return None


def _normalise_cell(raw, data_type, widget, column: str, excel_row: int, issues: list[RowIssue]):
    """Check one cell before the import sees it; return the value to import."""
    if data_type == "f":
        issues.append(RowIssue(excel_row, column, _("是公式“%(f)s”，请复制后“选择性粘贴为数值”再上传。") % {"f": raw}))
        return None
    return _normalise(raw, _cell_kind(widget), column, excel_row, issues)


def _normalise(raw, kind: str | None, column: str, excel_row: int, issues: list[RowIssue]):
    if isinstance(raw, str):
        if raw.startswith("="):
            issues.append(RowIssue(excel_row, column, _("是公式“%(f)s”，请复制后“选择性粘贴为数值”再上传。") % {
                "f": clip(raw, 60)}))
            return None
        if kind is None:
            return raw.strip()
    elif raw is None:
        return ""
    if kind is None:
        return str(int(raw)) if isinstance(raw, float) and raw.is_integer() else raw
    if kind in ("date", "datetime"):
        if isinstance(raw, dt.datetime):
            return raw.date() if kind == "date" else raw
        if isinstance(raw, dt.date):
            return raw
        text = str(raw).strip()
        if not text:
            return ""
        match = TEXT_DATE_RE.match(text)
        if match:
            parts = re.split(r"[-/.年月日]", text)
            try:
                return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
            except ValueError:
                pass
        issues.append(RowIssue(excel_row, column, _("“%(v)s”不是有效日期，请填写如 2024-03-05 的日期。") % {"v": clip(text, 60)}))
        return None
    # A number column.
    if isinstance(raw, bool):
        issues.append(RowIssue(excel_row, column, _("应为数字。")))
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if kind == "int" and not raw.is_integer():
            issues.append(RowIssue(excel_row, column, _("“%(v)s”应为整数。") % {"v": raw}))
            return None
        return int(raw) if kind == "int" else Decimal(repr(raw))
    text = str(raw).strip()
    if not text:
        return ""
    if FULLWIDTH_RE.search(text):
        fixed = unicodedata.normalize("NFKC", text)
        issues.append(RowIssue(excel_row, column, _("“%(v)s”含全角字符，请改为半角数字“%(fixed)s”。") % {
            "v": clip(text, 60), "fixed": clip(fixed, 60)}))
        return None
    if THOUSANDS_RE.match(text):
        issues.append(RowIssue(excel_row, column, _("“%(v)s”带有千位分隔符，请去掉逗号，填写“%(fixed)s”。") % {
            "v": clip(text, 60), "fixed": clip(text.replace(",", ""), 60)}))
        return None
    if text.endswith("万") or text.endswith("万元"):
        issues.append(RowIssue(excel_row, column, _("“%(v)s”带有单位“万”，请换算成元，只填数字（例如 1.2万 填 12000）。") % {
            "v": clip(text, 60)}))
        return None
    if not PLAIN_NUMBER_RE.match(text):
        issues.append(RowIssue(excel_row, column, _("“%(v)s”不是数字。") % {"v": clip(text, 60)}))
        return None
    if kind == "int" and "." in text:
        issues.append(RowIssue(excel_row, column, _("“%(v)s”应为整数。") % {"v": clip(text, 60)}))
        return None
    try:
        return int(text) if kind == "int" else Decimal(text)
    except (InvalidOperation, ValueError):
        issues.append(RowIssue(excel_row, column, _("“%(v)s”不是数字。") % {"v": clip(text, 60)}))
        return None


@dataclass
class CheckedFile:
    header: list[str]
    rows: list[dict]  # per data row: {"__row__": row number, column name: value or BAD}
    issues: list[RowIssue]
    preview: list[list]  # the first PREVIEW_ROWS rows as shown, every cell clipped
    sheet: str
    other_sheets: list[str]
    examples: list[int]  # rows marked as the template's example, left out


PREVIEW_ROWS = 20


def _names_list(names: list[str], limit: int = 10) -> str:
    shown = "、".join(str(clip(name, 30)) for name in names[:limit])
    if len(names) > limit:
        shown += _("等 %(n)s 列") % {"n": len(names)}
    return shown


def sheet_names(registration: Registration) -> tuple[list[str], list[str]]:
    """(names the data sheet may have, names of sheets that are never the data): the
    template's and the export's sheet title in the user's language and the portal's."""
    from django.utils import translation

    titles = {str(registration.title)}
    skip = {*INSTRUCTION_SHEETS, _("填写说明"), _("下拉选项")}
    with translation.override(settings.LANGUAGE_CODE):
        titles.add(str(registration.title))
        skip.update((_("填写说明"), _("下拉选项")))
    names = {cut for title in titles for cut in (title, title[:28], title[:31])}
    return sorted(names), sorted(skip)


def check_file(resource: PortalResource, data: bytes, *, names=(), skip=INSTRUCTION_SHEETS) -> CheckedFile:
    """Read the upload's sheet into row dicts keyed by column name, collecting every problem
    of every cell (a bad cell's value is ``BAD``, its problem in ``issues``)."""
    book, sheet = read_sheet(data, names, skip)
    others = [entry.name for entry in book.sheets if entry is not sheet]
    try:
        return _check_sheet(resource, book, sheet, others)
    except xlsx_reader.XlsxError as exc:
        raise FileRejected(str(exc), sheet.name, others) from None
    except FileRejected as exc:
        raise FileRejected(str(exc), sheet.name, others) from None
    finally:
        book.close()


def _check_sheet(resource: PortalResource, book, sheet, others: list[str]) -> CheckedFile:
    issues: list[RowIssue] = []
    fields_by_column = {field.column_name: field for field in resource.get_import_fields()}
    expected = list(fields_by_column)
    rows_iter = iter(book.rows(sheet))
    header = None
    for _number, cells in rows_iter:
        header = [cell_text(cells.get(column)) for column in range(1, max(cells) + 1)]
        break
    if header is None:
        raise FileRejected(_("文件是空的：第一行应为表头（%(cols)s）。") % {"cols": "、".join(expected)})
    while header and header[-1] == "":
        header.pop()
    book.max_col = len(header)  # cells right of the header are not read
    missing = [c for c in expected if c not in header and c not in resource.optional_columns]
    extra = [c for c in header if c and c not in fields_by_column]
    duplicates = sorted({c for c in header if c and header.count(c) > 1}) if len(header) <= 200 else []
    problems = []
    if missing:
        problems.append(_("缺少列：%(cols)s。") % {"cols": "、".join(missing)})
    if extra:
        problems.append(_("多余的列：%(cols)s（请使用下载的模板，不要增加列）。") % {"cols": _names_list(extra)})
    if duplicates:
        problems.append(_("表头重复：%(cols)s。") % {"cols": _names_list(duplicates)})
    if problems:
        raise FileRejected(" ".join(problems) + " " + _("表头应为：%(cols)s。") % {"cols": "、".join(expected)})
    columns = [
        (position + 1, column, _cell_kind(fields_by_column[column].widget))
        for position, column in enumerate(header) if column
    ]
    limit = settings.EXCEL_MAX_ROWS
    rows: list[dict] = []
    preview: list[list] = []
    examples: list[int] = []
    for number, cells in rows_iter:
        if is_example_mark(cells.get(1)):
            examples.append(number)
            continue
        if not any(position in cells for position, _column, _kind in columns):
            continue  # values only under columns without a header
        if len(rows) >= limit:
            raise FileRejected(_("数据超过 %(limit)s 行，请分成几个文件上传。") % {"limit": limit})
        row = {"__row__": number}
        shown = []
        for position, column, kind in columns:
            raw = cells.get(position)
            if isinstance(raw, str) and len(raw) > MAX_CELL_CHARS:
                issues.append(RowIssue(number, column, _("内容太长（%(n)s 个字符），一个单元格最多 %(max)s 个字符。") % {
                    "n": f"{len(raw):,}", "max": f"{MAX_CELL_CHARS:,}"}))
                value = BAD
            else:
                before = len(issues)
                value = _normalise(raw, kind, column, number, issues)
                if len(issues) > before:
                    value = BAD
            row[column] = value
            if len(preview) < PREVIEW_ROWS:
                shown.append(clip(raw if value is BAD or value is None else value))
        rows.append(row)
        if len(preview) < PREVIEW_ROWS:
            preview.append(shown)
    if not rows and not examples:
        raise FileRejected(_("文件里没有数据行：请在表头下面填写数据。"))
    # Duplicate rows (same natural key twice in one file).
    key_columns = [resource.fields[name].column_name for name in resource.get_import_id_fields() if name in resource.fields]
    if key_columns and all(c in header for c in key_columns):
        seen: dict[tuple, int] = {}
        for row in rows:
            values = [row.get(c, "") for c in key_columns]
            if any(value is BAD for value in values):
                continue
            key = tuple(str(value) for value in values)
            if key in seen:
                issues.append(RowIssue(row["__row__"], "", _("与第 %(other)s 行重复（%(cols)s 相同）。") % {
                    "other": seen[key], "cols": "、".join(key_columns)}))
            else:
                seen[key] = row["__row__"]
    return CheckedFile(header, rows, issues, preview, sheet.name, others, examples)


def _ordered(issues: list[RowIssue], header: list[str]) -> list[RowIssue]:
    """Each problem once, by row, then in the order of the columns (the row's own last)."""
    position = {column: index for index, column in enumerate(header) if column}
    seen, found = set(), []
    for issue in issues:
        key = (issue.row, issue.column, issue.message)
        if key not in seen:
            seen.add(key)
            found.append(issue)
    found.sort(key=lambda issue: (issue.row or 0, position.get(issue.column, len(position))))
    return found


def run_import(registration: Registration, *, user, year, data: bytes, dry_run: bool) -> ImportReport:
    """Check and import ``data``. With ``dry_run`` (the preview) every row is checked and
    nothing is written; otherwise all rows are saved, or none if any row has a problem.
    Every problem of every row and column is reported in one pass: a cell refused when
    the file is read is left out of the rest of its row's checks, which still run."""
    if user.role not in registration.import_roles:
        raise PermissionDenied(_("您的账号不能导入这类数据。"))
    resource = registration.resource_class(user=user, year=year)
    names, skip = sheet_names(registration)
    try:
        checked = check_file(resource, data, names=names, skip=skip)
    except FileRejected as exc:
        return ImportReport(issues=[RowIssue(None, "", str(exc))], sheet=exc.sheet, other_sheets=exc.other_sheets)
    headers = [c for c in checked.header if c]
    report = ImportReport(issues=list(checked.issues), total_rows=len(checked.rows), headers=headers,
                          preview=checked.preview, sheet=checked.sheet, other_sheets=checked.other_sheets,
                          examples=checked.examples)
    if not checked.rows:  # only the template's example row: nothing to check or write
        return report
    with transaction.atomic():
        job = _Import(resource, checked.rows, columns=set(headers))
        job.check()
        report.issues.extend(job.issues())
        report.new, report.update = job.new, job.update
        report.targets = set(job.targets)
        if not report.issues and not dry_run:
            try:
                with transaction.atomic():
                    job.save()
            except Exception as exc:  # noqa: BLE001 - told to the user; nothing is kept
                text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                if job.current_row is not None:
                    report.issues.append(RowIssue(job.current_row, "", text or _("无法导入这一行。")))
                else:
                    report.issues.append(RowIssue(None, "", _("保存时出错，已全部撤销，请核对后重新上传（%(error)s）。") % {
                        "error": text[:200]}))
        report.issues = _ordered(report.issues, checked.header)
        if report.issues or dry_run:
            transaction.set_rollback(True)
    return report


# ---------------------------------------------------------------------------
# Writing files

def _plain(value):
    """An exported value as the writer takes it: numbers and dates stay themselves, the rest
    is text (formula escaping and XML safety are the writer's, :mod:`workstudy.xlsx_writer`)."""
    if isinstance(value, (Decimal, int, float, dt.date)) and not isinstance(value, bool):
        return value
    if value is None:
        return ""
    return str(value)


def _export_getters(resource: PortalResource, export_fields) -> list:
    """Per column, what import-export's ``export_field`` would call for it (the resource's
    ``dehydrate_<name>`` or the field's own ``export``), looked up once instead of per cell."""
    getters = []
    for field in export_fields:
        dehydrate = field.get_dehydrate_method(resource.get_field_name(field))
        method = dehydrate if callable(dehydrate) else getattr(resource, dehydrate, None)
        getters.append(method or field.export)
    return getters


def _as_locked(objects, year, size: int = 2000):
    """``objects`` as a locked ``year`` knew them (names and addresses at its lock,
    :mod:`workstudy.names`), a chunk at a time; unchanged for an open year or no year."""
    year_row = year_names.locked_year(year)
    if year_row is None:
        yield from objects
        return
    batch: list = []
    for obj in objects:
        batch.append(obj)
        if len(batch) >= size:
            year_names.as_locked(batch, year_row)
            yield from batch
            batch = []
    year_names.as_locked(batch, year_row)
    yield from batch


def write_export(registration: Registration, *, user, year=None, school=None, target=None):
    """Write the rows ``user`` may see to an .xlsx file object; return it positioned at 0.

    The rows are read in chunks and streamed into the file (:mod:`workstudy.xlsx_writer`),
    so memory stays flat whatever their number."""
    if user.role not in registration.export_roles:
        raise PermissionDenied(_("您的账号不能导出这类数据。"))
    resource = registration.resource_class(user=user)
    export_fields = resource.export_columns()
    getters = _export_getters(resource, export_fields)
    queryset = resource.export_queryset(year=year, school=school)
    objects = _as_locked(queryset.iterator(chunk_size=2000), year)
    rows = ([_plain(get(obj)) for get in getters] for obj in objects)
    target = target or tempfile.TemporaryFile()
    write_xlsx(target, [Sheet(str(registration.title) or _("数据"), [str(f.column_name) for f in export_fields], rows)])
    target.seek(0)
    return target


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
