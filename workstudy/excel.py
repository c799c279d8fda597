"""Excel (.xlsx) templates, import with preview, and export — one pipeline for every data kind.

An app describes a data kind with a :class:`PortalResource` (django-import-export) and
registers it once in ``ready()``::

    excel.register("labor_plots", PlotResource, title=_("地块"))

Every registered kind then gets, at ``excel:template`` / ``excel:import`` / ``excel:export``:

* a template .xlsx with Chinese headers and an instructions sheet;
* upload -> checks of the file itself (size, zip bomb, merged cells, formulas, columns,
  row limit, full-width digits, thousands separators, 万 units, text dates, duplicates)
  -> a dry run listing every bad row and column in plain words -> confirm -> the rows
  are saved all together or not at all. The upload is kept in the database between
  preview and confirm, so any app server can finish it;
* every row is checked against :mod:`workstudy.scoping`: a principal's upload can only
  touch their own school in an open year;
* export of the rows the user may see, written row by row (openpyxl write-only) with
  cells that start with = + - @ escaped so a spreadsheet never runs them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from import_export import fields as ie_fields
from import_export import instance_loaders, resources, widgets
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from . import scoping
from .models import DomainModel, ReportingYear, Role, School

# ---------------------------------------------------------------------------
# Registry


@dataclass(frozen=True)
class Registration:
    key: str
    resource_class: type
    title: str
    import_roles: tuple[str, ...] = (Role.STAFF, Role.PRINCIPAL)
    export_roles: tuple[str, ...] = (Role.STAFF, Role.PRINCIPAL, Role.AUDITOR)


_registry: dict[str, Registration] = {}


def register(key: str, resource_class, *, title, import_roles=None, export_roles=None) -> None:
    """Register a data kind. ``import_roles=()`` makes it export-only."""
    _registry[key] = Registration(
        key=key, resource_class=resource_class, title=title,
        import_roles=tuple(import_roles) if import_roles is not None else (Role.STAFF, Role.PRINCIPAL),
        export_roles=tuple(export_roles) if export_roles is not None else (Role.STAFF, Role.PRINCIPAL, Role.AUDITOR),
    )


def get_registration(key: str) -> Registration | None:
    return _registry.get(key)


def registrations() -> list[Registration]:
    return list(_registry.values())


# ---------------------------------------------------------------------------
# Widgets: resolve references inside the user's scope, with Chinese messages


class SchoolWidget(widgets.ForeignKeyWidget):
    """A 学校 column: the school's code or name, looked up among the schools the user sees.

    For a principal an empty cell means their own school; any other school is refused.
    """

    def __init__(self, **kwargs):
        super().__init__(School, field="name", **kwargs)
        self.user = None

    def clean(self, value, row=None, **kwargs):
        text = str(value).strip() if value is not None else ""
        user = self.user
        if not text:
            if user is not None and user.is_principal:
                return user.school
            raise ValueError(_("请填写学校名称或代码。"))
        school = (
            scoping.schools_for(user).filter(models.Q(code=text) | models.Q(name=text)).first()
            if user is not None
            else None
        )
        if school is None:
            if user is not None and user.is_principal:
                raise ValueError(_("“%(value)s”不是本校，您只能导入本校（%(own)s）的数据。") % {
                    "value": text, "own": user.school.name})
            raise ValueError(_("找不到学校“%(value)s”，请填写学校全称或学校代码。") % {"value": text})
        return school

    def render(self, value, obj=None, **kwargs):
        return value.name if value is not None else ""


class YearWidget(widgets.ForeignKeyWidget):
    """A 年度 column (e.g. 2024); empty means the year chosen on the upload page."""

    def __init__(self, **kwargs):
        super().__init__(ReportingYear, field="year", **kwargs)
        self.default_year = None

    def clean(self, value, row=None, **kwargs):
        text = str(value).strip() if value is not None else ""
        if text.endswith(".0"):
            text = text[:-2]
        if not text:
            if self.default_year is not None:
                return self.default_year
            raise ValueError(_("请填写年度，例如 2024。"))
        if not text.isdigit():
            raise ValueError(_("年度“%(value)s”应为四位数字，例如 2024。") % {"value": text})
        year = ReportingYear.objects.filter(pk=int(text)).first()
        if year is None:
            raise ValueError(_("统计年度 %(value)s 尚未开放。") % {"value": text})
        return year

    def render(self, value, obj=None, **kwargs):
        return value.year if value is not None else ""


class ScopedForeignKeyWidget(widgets.ForeignKeyWidget):
    """Any other reference, looked up by ``field`` among the rows the user may see."""

    def __init__(self, model, field="name", label=None, **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.user = None
        self.label = label or model._meta.verbose_name

    def get_queryset(self, value, row, *args, **kwargs):
        return scoping.visible(self.user, self.model) if self.user is not None else self.model.objects.none()

    def clean(self, value, row=None, **kwargs):
        text = str(value).strip() if value is not None else ""
        if not text:
            return None
        matches = list(self.get_queryset(value, row).filter(**{self.field: text})[:2])
        if not matches:
            raise ValueError(_("找不到%(label)s“%(value)s”。") % {"label": self.label, "value": text})
        if len(matches) > 1:
            raise ValueError(_("%(label)s“%(value)s”不唯一，请联系勤工办。") % {"label": self.label, "value": text})
        return matches[0]


class ChoiceWidget(widgets.Widget):
    """A choice column: accepts the Chinese label (or the stored value), exports the label."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = list(choices)
        self.by_label = {str(label): value for value, label in self.choices}
        self.values = {value for value, _label in self.choices}

    def clean(self, value, row=None, **kwargs):
        text = str(value).strip() if value is not None else ""
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


class BooleanCNWidget(widgets.Widget):
    TRUE = {"是", "有", "1", "true", "True", "TRUE", "Y", "y", "yes"}
    FALSE = {"否", "无", "0", "false", "False", "FALSE", "N", "n", "no", ""}

    def clean(self, value, row=None, **kwargs):
        text = str(value).strip() if value is not None else ""
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(_("请填写“是”或“否”。"))

    def render(self, value, obj=None, **kwargs):
        return _("是") if value else _("否")



# ---------------------------------------------------------------------------
# Per-import memo of reference lookups: a 10,000-row file names a few hundred schools,
# bases or years; each distinct cell (with its context columns) is looked up once.

_MEMO_CLEANS = (SchoolWidget.clean, YearWidget.clean, ScopedForeignKeyWidget.clean)


def _memoise_clean(widget) -> None:
    """Wrap ``widget.clean`` so the same value (and ``cache_columns`` of the row) resolves once.

    Widgets with their own ``clean`` are memoised only when they declare which row columns
    their answer depends on (``cache_columns``); the error of a bad value is remembered too.
    """
    columns = getattr(widget, "cache_columns", None)
    if columns is None and type(widget).clean not in _MEMO_CLEANS:
        return
    columns = tuple(columns or ())
    original = widget.clean
    memo: dict = {}

    def clean(value, row=None, **kwargs):
        key = (value, *((row or {}).get(c) for c in columns))
        try:
            hit = memo[key]
        except KeyError:
            try:
                hit = (True, original(value, row, **kwargs))
            except (ValueError, ValidationError) as exc:
                hit = (False, exc)
            except TypeError:  # unhashable or odd value: no memo
                return original(value, row, **kwargs)
            memo[key] = hit
        if hit[0]:
            return hit[1]
        raise hit[1]

    widget.clean = clean


class KeyedInstanceLoader(instance_loaders.BaseInstanceLoader):
    """Finds the existing rows of a whole file in a few queries instead of one per row.

    The import id fields of every row are cleaned (memoised widgets), the candidates are
    read once (filtered by the distinct values of each id field), and each row then looks
    its natural key up in memory. A row whose key cannot be cleaned falls back to the
    per-row lookup, so it fails with the same message as before.
    """

    MAX_IN = 2000

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.fields = [resource.fields[name] for name in resource.get_import_id_fields()]
        self.index: dict[tuple, list] | None = None
        self._keys: dict[tuple, tuple] = {}  # the row's cells -> its cleaned natural key
        try:
            self._load(dataset)
        except Exception:  # noqa: BLE001 - anything odd: per-row lookups, same results
            self.index = None

    def _key_of_value(self, field, value):
        return value.pk if isinstance(value, models.Model) else value

    def _row_key(self, row):
        try:
            cells = tuple(row.values())
            return self._keys[cells]
        except (KeyError, TypeError):
            pass
        key = tuple(self._key_of_value(f, f.clean(row)) for f in self.fields)
        try:
            self._keys[cells] = key
        except TypeError:
            pass
        return key

    def _load(self, dataset) -> None:
        if dataset is None or not self.fields or any("__" in f.attribute for f in self.fields):
            return
        if any(f.column_name not in dataset.headers for f in self.fields):
            return
        values: list[set] = [set() for _ in self.fields]
        for data_row in dataset.dict:
            try:
                key = self._row_key(data_row)
            except Exception:  # noqa: BLE001 - this row will fail in its own lookup
                continue
            for bucket, part in zip(values, key, strict=True):
                bucket.add(part)
        model = self.resource._meta.model
        filters = {}
        for field, bucket in zip(self.fields, values, strict=True):
            if not bucket or len(bucket) > self.MAX_IN or None in bucket:
                continue
            model_field = model._meta.get_field(field.attribute)
            name = model_field.attname if model_field.is_relation else field.attribute
            filters[f"{name}__in"] = bucket
        if not filters:
            return
        index: dict[tuple, list] = {}
        attnames = []
        for field in self.fields:
            model_field = model._meta.get_field(field.attribute)
            attnames.append(model_field.attname if model_field.is_relation else field.attribute)
        for obj in self.resource.get_queryset().filter(**filters):
            index.setdefault(tuple(getattr(obj, name) for name in attnames), []).append(obj)
        self.index = index

    def get_instance(self, row):
        if self.index is None:
            return instance_loaders.ModelInstanceLoader(self.resource, self.dataset).get_instance(row)
        try:
            key = self._row_key(row)
        except Exception:  # noqa: BLE001 - the per-row path raises the same error with its message
            return instance_loaders.ModelInstanceLoader(self.resource, self.dataset).get_instance(row)
        found = self.index.get(key, [])
        if len(found) > 1:
            raise self.resource._meta.model.MultipleObjectsReturned(
                _("文件中这一行对应了多条已有记录，请联系勤工办。"))
        return found[0] if found else None


def _bulk_capable(model) -> bool:
    """New rows may be written with bulk_create when ``save()`` does nothing more on insert
    than DomainModel's, or the model says what it does (``bulk_prepare``/``bulk_saved``)."""
    return issubclass(model, DomainModel) and (model.save is DomainModel.save or hasattr(model, "bulk_prepare"))


# ---------------------------------------------------------------------------
# Resource base


class PortalResource(resources.ModelResource):
    """Base for every importable/exportable data kind.

    Subclasses declare fields with Chinese ``column_name``s and, in ``Meta``, the model,
    ``fields``, ``import_id_fields`` (natural keys, e.g. school+year+product) and
    optionally ``export_select_related``. Help texts for the template's instruction sheet
    come from ``column_help = {column_name: "说明"}``.
    """

    column_help: dict[str, str] = {}

    class Meta:
        abstract = True
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = False
        skip_diff = True
        report_skipped = False
        store_instance = False
        instance_loader_class = KeyedInstanceLoader

    # New rows are kept and written together at the end of the file (bulk_create with the
    # history rows), when the model allows it (see _bulk_capable); existing rows are saved
    # one by one through save(), so optimistic locking still applies to them.
    bulk_batch_size = 1000

    def __init__(self, *, user=None, year: ReportingYear | None = None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.default_year = year
        self._write_checks: dict[tuple, str | None] = {}
        self._fk_checks: dict[tuple, list | None] = {}
        self._pending: list = []
        self._bulk = _bulk_capable(self._meta.model)
        # Bulk kinds need no savepoint per row (nothing is written until the end of the file).
        self._meta.use_bulk = self._bulk
        for field in self.fields.values():
            widget = field.widget
            if hasattr(widget, "coerce_to_string"):
                widget.coerce_to_string = False  # numbers stay numbers in the .xlsx
            if hasattr(widget, "user"):
                widget.user = user
            if isinstance(widget, YearWidget):
                widget.default_year = year
            _memoise_clean(widget)

    # Rows the importer may update, and the exporter may read: the user's scope.
    def get_queryset(self):
        return scoping.visible(self.user, self._meta.model)

    def get_instance(self, instance_loader, row):
        instance = super().get_instance(instance_loader, row)
        if instance is not None:
            reason = scoping.obj_write_block_reason(self.user, instance)
            if reason:
                raise ValidationError(reason)
        return instance

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if self._meta.clean_model_instances:
            try:
                self._full_clean(instance, exclude=set(errors), validate_unique=validate_unique)
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
        scope = scoping.scope_of(type(instance))
        if scope.school is None and not (self.user is not None and self.user.is_bureau):
            raise ValidationError(_("此类数据由勤工办维护，学校不能导入。"))
        reason = self._write_block_reason(scoping.school_of(instance), scoping.year_of(instance))
        if reason:
            raise ValidationError(reason)

    def _full_clean(self, instance, *, exclude: set, validate_unique: bool) -> None:
        """``Model.full_clean``, except that a foreign key's "does it exist" query runs once per
        value per file instead of once per row (the same field validation, same messages)."""
        errors: dict = {}
        foreign_keys = [
            f for f in instance._meta.fields
            if f.many_to_one and f.name not in exclude and getattr(instance, f.attname) is not None
        ]
        try:
            instance.clean_fields(exclude=exclude | {f.name for f in foreign_keys})
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for f in foreign_keys:
            key = (f.model, f.name, getattr(instance, f.attname))
            if key not in self._fk_checks:
                try:
                    f.clean(key[2], instance)
                    self._fk_checks[key] = None
                except ValidationError as exc:
                    self._fk_checks[key] = exc.error_list
            if self._fk_checks[key]:
                errors.setdefault(f.name, []).extend(self._fk_checks[key])
        try:
            instance.clean()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        exclude = exclude | {name for name in errors if name != NON_FIELD_ERRORS}
        if validate_unique:
            try:
                instance.validate_unique(exclude=exclude)
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
            exclude = exclude | {name for name in errors if name != NON_FIELD_ERRORS}
        try:
            instance.validate_constraints(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _write_block_reason(self, school, year) -> str | None:
        """scoping.write_block_reason, asked once per distinct (school, year) of the file."""
        key = (getattr(school, "pk", school), getattr(year, "pk", year))
        if key not in self._write_checks:
            self._write_checks[key] = scoping.write_block_reason(self.user, school=school, year=year)
        return self._write_checks[key]

    # Saving: new rows in bulk at the end (with their history), existing rows one by one.
    def save_instance(self, instance, is_create, row, **kwargs):
        if not self._bulk:
            return super().save_instance(instance, is_create, row, **kwargs)
        self.before_save_instance(instance, row, **kwargs)
        if is_create:
            self._pending.append(instance)
        elif kwargs.get("using_transactions", True) or not kwargs.get("dry_run"):
            self.do_instance_save(instance, is_create)
        self.after_save_instance(instance, row, **kwargs)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        pending, self._pending = self._pending, []
        if kwargs.get("dry_run") and not kwargs.get("using_transactions", True):
            return
        if pending and not result.has_errors() and not result.has_validation_errors():
            self._pending = pending
            try:
                self.write_pending()
            finally:
                self._pending = []

    def write_pending(self) -> None:
        from simple_history.utils import bulk_create_with_history

        model = self._meta.model
        pending = self._pending
        if hasattr(model, "bulk_prepare"):
            model.bulk_prepare(pending)
        bulk_create_with_history(pending, model, batch_size=self.bulk_batch_size, default_user=self.user)
        if hasattr(model, "bulk_saved"):
            model.bulk_saved(pending)

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


# ---------------------------------------------------------------------------
# Reading and checking an uploaded file

MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
FULLWIDTH_RE = re.compile(r"[\uff10-\uff19\uff0e\uff0c\uff0d\uff0b]")
PLAIN_NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")
THOUSANDS_RE = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
FORMULA_TYPES = (ArrayFormula, DataTableFormula)
TEXT_DATE_RE = re.compile(r"^\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?$")


@dataclass
class RowIssue:
    row: int | None  # Excel row number (header is row 1); None for the whole file
    column: str
    message: str

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

    @property
    def ok(self) -> bool:
        return not self.issues


class FileRejected(Exception):
    pass


def _numeric_kind(widget) -> str | None:
    if isinstance(widget, widgets.IntegerWidget):
        return "int"
    if isinstance(widget, (widgets.DecimalWidget, widgets.FloatWidget)):
        return "decimal"
    return None


def _is_date_widget(widget) -> bool:
    return isinstance(widget, (widgets.DateWidget, widgets.DateTimeWidget))


def _check_archive(data: bytes) -> None:
    if len(data) > settings.EXCEL_MAX_UPLOAD_BYTES:
        raise FileRejected(_("文件太大（%(size)s MB），单个文件不能超过 %(limit)s MB，请分成几个文件上传。") % {
            "size": round(len(data) / 1024 / 1024, 1), "limit": settings.EXCEL_MAX_UPLOAD_BYTES // 1024 // 1024})
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise FileRejected(_("这不是 Excel（.xlsx）文件，或文件已损坏。请用 Excel/WPS 另存为 .xlsx 后再上传。"))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            total = sum(info.file_size for info in infos)
            if total > MAX_UNCOMPRESSED_BYTES or total > MAX_COMPRESSION_RATIO * max(len(data), 1) + 1024 * 1024:
                raise FileRejected(_("文件解压后异常庞大（可能是恶意文件），已拒绝。"))
            names = {info.filename for info in infos}
            if "xl/workbook.xml" not in names:
                raise FileRejected(_("这不是 Excel（.xlsx）文件，或文件已损坏。请用 Excel/WPS 另存为 .xlsx 后再上传。"))
            for name in names:
                if name.startswith("xl/worksheets/sheet") and name.endswith(".xml"):
                    with archive.open(name) as sheet:
                        tail = b""
                        while chunk := sheet.read(1 << 16):
                            if b"<mergeCell " in tail + chunk:
                                raise FileRejected(_("表格中有合并单元格，请取消合并，每个格子只填一个值后再上传。"))
                            tail = chunk[-16:]
                    break  # only the first sheet is read
    except zipfile.BadZipFile:
        raise FileRejected(_("这不是 Excel（.xlsx）文件，或文件已损坏。请用 Excel/WPS 另存为 .xlsx 后再上传。")) from None


def read_rows(data: bytes):
    """Yield the first sheet's rows as tuples of cells (value, data_type)."""
    _check_archive(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - any parse failure is a broken file for the user
        raise FileRejected(_("无法读取这个 Excel 文件，文件可能已损坏。请用 Excel/WPS 另存为 .xlsx 后再上传。")) from None
    try:
        sheet = workbook.worksheets[0]
        # Values only: a formula reads as its text ("=A1*2"), which _normalise_cell refuses.
        for row in sheet.iter_rows(values_only=True):
            yield tuple((value, None) for value in row)
    finally:
        workbook.close()


def _normalise_cell(raw, data_type, widget, column: str, excel_row: int, issues: list[RowIssue]):
    """Check one cell before import-export sees it; return the value to import."""
    if data_type == "f" or (isinstance(raw, str) and raw.startswith("=")) or isinstance(raw, FORMULA_TYPES):
        text = getattr(raw, "text", raw) if not isinstance(raw, str) else raw
        issues.append(RowIssue(excel_row, column, _("是公式“%(f)s”，请复制后“选择性粘贴为数值”再上传。") % {"f": text}))
        return None
    if raw is None:
        return ""
    kind = _numeric_kind(widget)
    if kind:
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
                "v": text, "fixed": fixed}))
            return None
        if THOUSANDS_RE.match(text):
            issues.append(RowIssue(excel_row, column, _("“%(v)s”带有千位分隔符，请去掉逗号，填写“%(fixed)s”。") % {
                "v": text, "fixed": text.replace(",", "")}))
            return None
        if text.endswith("万") or text.endswith("万元"):
            issues.append(RowIssue(excel_row, column, _("“%(v)s”带有单位“万”，请换算成元，只填数字（例如 1.2万 填 12000）。") % {
                "v": text}))
            return None
        if not PLAIN_NUMBER_RE.match(text):
            issues.append(RowIssue(excel_row, column, _("“%(v)s”不是数字。") % {"v": text}))
            return None
        if kind == "int" and "." in text:
            issues.append(RowIssue(excel_row, column, _("“%(v)s”应为整数。") % {"v": text}))
            return None
        try:
            return int(text) if kind == "int" else Decimal(text)
        except (InvalidOperation, ValueError):
            issues.append(RowIssue(excel_row, column, _("“%(v)s”不是数字。") % {"v": text}))
            return None
    if _is_date_widget(widget):
        if isinstance(raw, dt.datetime):
            return raw.date() if isinstance(widget, widgets.DateWidget) else raw
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
        issues.append(RowIssue(excel_row, column, _("“%(v)s”不是有效日期，请填写如 2024-03-05 的日期。") % {"v": text}))
        return None
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return raw if not isinstance(raw, str) else raw.strip()


def check_file(resource: PortalResource, data: bytes) -> tuple[list[str], list[dict], list[RowIssue]]:
    """Read ``data`` into row dicts keyed by column name, collecting every problem found."""
    issues: list[RowIssue] = []
    fields_by_column = {field.column_name: field for field in resource.get_import_fields()}
    expected = list(fields_by_column)
    rows_iter = read_rows(data)
    header = None
    for cells in rows_iter:
        values = [value for value, _t in cells]
        if any(v not in (None, "") for v in values):
            header = [str(v).strip() if v is not None else "" for v in values]
            break
    if header is None:
        raise FileRejected(_("文件是空的：第一行应为表头（%(cols)s）。") % {"cols": "、".join(expected)})
    while header and header[-1] == "":
        header.pop()
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c and c not in fields_by_column]
    duplicates = sorted({c for c in header if c and header.count(c) > 1})
    problems = []
    if missing:
        problems.append(_("缺少列：%(cols)s。") % {"cols": "、".join(missing)})
    if extra:
        problems.append(_("多余的列：%(cols)s（请使用下载的模板，不要增加列）。") % {"cols": "、".join(extra)})
    if duplicates:
        problems.append(_("表头重复：%(cols)s。") % {"cols": "、".join(duplicates)})
    if problems:
        raise FileRejected(" ".join(problems) + " " + _("表头应为：%(cols)s。") % {"cols": "、".join(expected)})
    rows: list[dict] = []
    for index, cells in enumerate(rows_iter, start=2):
        if not any(value not in (None, "") for value, _t in cells):
            continue
        if len(rows) >= settings.EXCEL_MAX_ROWS:
            raise FileRejected(_("数据超过 %(limit)s 行，请分成几个文件上传。") % {"limit": settings.EXCEL_MAX_ROWS})
        row = {"__row__": index}
        for position, column in enumerate(header):
            if not column:
                continue
            raw, data_type = cells[position] if position < len(cells) else (None, None)
            row[column] = _normalise_cell(raw, data_type, fields_by_column[column].widget, column, index, issues)
        rows.append(row)
    if not rows:
        raise FileRejected(_("文件里没有数据行：请在表头下面填写数据。"))
    # Duplicate rows (same natural key twice in one file).
    key_columns = [resource.fields[name].column_name for name in resource.get_import_id_fields() if name in resource.fields]
    if key_columns and all(c in header for c in key_columns):
        seen: dict[tuple, int] = {}
        for row in rows:
            key = tuple(str(row.get(c, "")) for c in key_columns)
            if key in seen:
                issues.append(RowIssue(row["__row__"], "", _("与第 %(other)s 行重复（%(cols)s 相同）。") % {
                    "other": seen[key], "cols": "、".join(key_columns)}))
            else:
                seen[key] = row["__row__"]
    return header, rows, issues


def _dataset(header: list[str], rows: list[dict]):
    import tablib

    columns = [c for c in header if c]
    dataset = tablib.Dataset(headers=columns)
    for row in rows:
        dataset.append([row.get(c, "") for c in columns])
    return dataset


def run_import(registration: Registration, *, user, year, data: bytes, dry_run: bool) -> ImportReport:
    """Check and import ``data``. With ``dry_run`` nothing is saved; otherwise all rows or none."""
    if user.role not in registration.import_roles:
        raise PermissionDenied(_("您的账号不能导入这类数据。"))
    resource = registration.resource_class(user=user, year=year)
    try:
        header, rows, issues = check_file(resource, data)
    except FileRejected as exc:
        return ImportReport(issues=[RowIssue(None, "", str(exc))])
    report = ImportReport(issues=issues, total_rows=len(rows), headers=[c for c in header if c])
    report.preview = [[row.get(c, "") for c in report.headers] for row in rows[:20]]
    if issues:
        return report
    dataset = _dataset(header, rows)
    column_of = {field.attribute: field.column_name for field in resource.get_import_fields()}
    excel_row = [row["__row__"] for row in rows]
    # One pass, in one transaction: the preview (dry run) and any row with a problem roll it
    # all back; a clean real run commits every row at once.
    with transaction.atomic():
        result = resource.import_data(
            dataset, dry_run=dry_run, raise_errors=False, use_transactions=True, rollback_on_validation_errors=True,
        )
        for invalid in result.invalid_rows:
            number = excel_row[invalid.number - 1]
            for attribute, messages in invalid.error_dict.items():
                column = "" if attribute == NON_FIELD_ERRORS else column_of.get(attribute, attribute)
                for message in messages:
                    report.issues.append(RowIssue(number, column, str(message)))
        for number, errors in result.row_errors():
            for error in errors:
                exc = error.error
                text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                report.issues.append(RowIssue(excel_row[number - 1], "", text or _("无法导入这一行。")))
        for error in result.base_errors:
            report.issues.append(RowIssue(None, "", _("保存时出错，已全部撤销，请核对后重新上传（%(error)s）。") % {
                "error": str(error.error)[:200]}))
        report.new = result.totals.get("new", 0)
        report.update = result.totals.get("update", 0)
        report.issues.sort(key=lambda issue: (issue.row or 0))
        if report.issues or dry_run:
            transaction.set_rollback(True)
    return report


# ---------------------------------------------------------------------------
# Writing files

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="9B1C1C")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value):
    """Make text that a spreadsheet would treat as a formula inert."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _plain(value):
    if isinstance(value, (Decimal, int, float, dt.date, dt.datetime)) and not isinstance(value, bool):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return value.astimezone().replace(tzinfo=None)
        return value
    if value is None:
        return ""
    return escape_cell(str(value))


def build_template(registration: Registration, *, user) -> bytes:
    resource = registration.resource_class(user=user)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(registration.title)[:28] or "数据"
    columns = resource.column_names()
    sheet.append(columns)
    for index, cell in enumerate(sheet[1], start=1):
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        sheet.column_dimensions[cell.column_letter].width = max(12, len(str(columns[index - 1])) * 2 + 4)
    sheet.freeze_panes = "A2"
    help_sheet = workbook.create_sheet(_("填写说明"))
    help_sheet.append([_("列"), _("说明")])
    for cell in help_sheet[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for field in resource.get_import_fields():
        note = resource.column_help.get(field.column_name, "")
        widget = field.widget
        if isinstance(widget, ChoiceWidget):
            note = (note + " " if note else "") + _("可填：") + "、".join(str(label) for _v, label in widget.choices)
        elif isinstance(widget, SchoolWidget):
            note = note or _("学校全称或学校代码；校长账号可留空，默认为本校。")
        elif isinstance(widget, YearWidget):
            note = note or _("四位年份，如 2024；留空则为上传页面选择的年度。")
        elif _is_date_widget(widget):
            note = note or _("日期，如 2024-03-05。")
        elif _numeric_kind(widget):
            note = note or _("只填数字（半角），不要带单位或千位分隔符。")
        help_sheet.append([field.column_name, note])
    help_sheet.append([])
    help_sheet.append([_("注意"), _("不要合并单元格、不要使用公式；每行一条记录；整个文件检查通过后才会一次性保存。")])
    help_sheet.column_dimensions["A"].width = 24
    help_sheet.column_dimensions["B"].width = 80
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_export(registration: Registration, *, user, year=None, school=None, target=None):
    """Write the rows ``user`` may see to an .xlsx file object; return it positioned at 0."""
    if user.role not in registration.export_roles:
        raise PermissionDenied(_("您的账号不能导出这类数据。"))
    resource = registration.resource_class(user=user)
    export_fields = resource.export_columns()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(registration.title)[:28] or "数据")
    header = []
    for field in export_fields:
        cell = WriteOnlyCell(sheet, value=escape_cell(str(field.column_name)))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        header.append(cell)
    sheet.append(header)
    queryset = resource.export_queryset(year=year, school=school)
    for obj in queryset.iterator(chunk_size=2000):
        sheet.append([_plain(resource.export_field(field, obj)) for field in export_fields])
    target = target or tempfile.TemporaryFile()
    workbook.save(target)
    target.seek(0)
    return target


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
