"""Saving a checked file: every row converted, validated and saved together (see :class:`_Import`)."""

from __future__ import annotations

import contextlib
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import DatabaseError, connection, models
from django.db.models.expressions import DatabaseDefault
from django.db.models.fields import NOT_PROVIDED
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from import_export import widgets

from .. import scoping
from ..constraints import validate_in_python
from ..models import DomainModel, portal_field_errors
from ..signals import rows_bulk_created
from .cells import BAD, IN_CHUNK, PREVIEW_CHARS, RowIssue, clip, in_chunks
from .resource import PortalResource

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
        instance = row.instance
        school, year = scoping.school_of(instance), scoping.year_of(instance)
        key = (getattr(school, "pk", school), getattr(year, "pk", year))
        if key not in self._write_checks:  # the one answer pages and the API get too
            self._write_checks[key] = scoping.write_block_reason(self.user, school=school, year=year, model=self.model)
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
    rows_bulk_created.send(sender=model, objs=objs)


BULK_BATCH = 5000  # rows per INSERT, as the benchmark's lower bound (SQLite caps it lower)
