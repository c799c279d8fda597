"""django-import-export tuned, for the benchmark: the production-lines upload (the portal's
own template, Chinese headers) imported by ``ModelResource.import_data`` with the library's
speed options, written as a developer would who followed its documentation.

* ``use_bulk`` with ``batch_size``: new rows are kept and written 1,000 at a time;
* ``skip_diff`` (and ``skip_html_diff``): no copy of each row before and after;
  ``skip_unchanged`` stays off, because import-export compares a row with that copy and
  ``skip_diff`` removes it (with both set, nothing would be skipped anyway);
* references read once per file (``before_import``): the bases of the schools the file
  names, among those the user sees, by (学校, 基地名称); the years; an instance loader that
  reads the rows already there by their natural key in one query (import-export's
  ``CachedInstanceLoader`` takes a single key field only);
* validation as the portal's: the model's ``full_clean()`` (field limits, the model's
  ``clean()``) unless ``validate=False``, without re-reading the two foreign keys the
  widgets just found; then the scope (school and year writable by the user), asked once
  per school and year;
* what ``save()`` does, done for bulk rows: the value computed, the history rows written
  (django-simple-history's ``bulk_create_with_history``, the importing user), the bases'
  accounts refreshed (the model's ``bulk_prepare``/``bulk_saved``), the per-school
  aggregates kept (the ``rows_bulk_created`` signal, as the portal's bulk write sends it).

What it does not do (the portal's engine does): checks of the file itself (formulas,
full-width digits, thousands separators, 万, text dates, duplicate rows of one file);
existing rows are written by ``bulk_update`` (no optimistic locking, no history, accounts
not refreshed); with ``use_bulk`` a failed batch is reported for no row in particular, and
a dry run writes the rows and rolls them back.
"""

from __future__ import annotations

import io

import tablib
from django.core.exceptions import ValidationError
from django.db import models
from import_export import fields, instance_loaders, resources, widgets
from simple_history.utils import bulk_create_with_history

from labor_bases.models import LaborBase, ProductionLine, Unit
from workstudy import scoping
from workstudy.models import ReportingYear
from workstudy.signals import rows_bulk_created

SCHOOL, BASE, YEAR = "学校", "基地名称", "年度"


class _Table(widgets.ForeignKeyWidget):
    """A reference answered from a table the resource fills once per file."""

    def __init__(self, model, field, message):
        super().__init__(model, field=field)
        self.table: dict = {}
        self.message = message

    def key(self, value, row):
        return str(value).strip()

    def clean(self, value, row=None, **kwargs):
        found = self.table.get(self.key(value, row))
        if found is None:
            raise ValueError(self.message % {"value": value})
        return found


class _BaseWidget(_Table):
    def key(self, value, row):
        return str(row.get(SCHOOL) or "").strip(), str(value or "").strip()


class _YearWidget(_Table):
    def key(self, value, row):
        return int(value) if value not in (None, "") else None


class _UnitWidget(widgets.Widget):
    labels = {str(label): value for value, label in Unit.choices}

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if text in self.labels or text in self.labels.values():
            return self.labels.get(text, text)
        raise ValueError(f"“{text}”不是可选的计量单位。")


class _Loader(instance_loaders.ModelInstanceLoader):
    """The rows already there, by natural key, in one query for the file."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.found = {}
        bases = {base.pk for base in resource.fields["base"].widget.table.values()}
        for line in self.get_queryset().filter(base_id__in=bases, year_id__in=resource.years):
            self.found[(line.base_id, line.year_id, line.product, line.grade, line.unit)] = line

    def get_instance(self, row):
        try:
            key = [self.resource.fields[name].clean(row) for name in self.resource.get_import_id_fields()]
        except ValueError:
            return None  # the cell's own error is reported when the row is imported
        return self.found.get((key[0].pk, key[1].pk, *key[2:]))


class TunedProductionResource(resources.ModelResource):
    base = fields.Field(attribute="base", column_name=BASE, widget=_BaseWidget(LaborBase, "name", "找不到基地“%(value)s”。"))
    year = fields.Field(
        attribute="year", column_name=YEAR, widget=_YearWidget(ReportingYear, "year", "统计年度 %(value)s 尚未开放。")
    )
    product = fields.Field(attribute="product", column_name="产品", widget=widgets.CharWidget())
    grade = fields.Field(attribute="grade", column_name="等级/规格", widget=widgets.CharWidget())
    quantity = fields.Field(attribute="quantity", column_name="产量", widget=widgets.DecimalWidget())
    unit = fields.Field(attribute="unit", column_name="计量单位", widget=_UnitWidget())
    unit_price = fields.Field(attribute="unit_price", column_name="平均单价(元)", widget=widgets.DecimalWidget())
    note = fields.Field(attribute="note", column_name="备注", widget=widgets.CharWidget())

    class Meta:
        model = ProductionLine
        fields = ("base", "year", "product", "grade", "quantity", "unit", "unit_price", "note")
        import_id_fields = ("base", "year", "product", "grade", "unit")
        instance_loader_class = _Loader
        use_bulk = True
        batch_size = 1000
        skip_diff = True
        skip_html_diff = True
        clean_model_instances = True

    def __init__(self, *, user, validate: bool = True):
        super().__init__()
        self.user = user
        self.validate = validate
        self.years: set[int] = set()
        self.blocked: dict[tuple, str | None] = {}

    def get_queryset(self):
        return scoping.visible(self.user, ProductionLine)

    def before_import(self, dataset, **kwargs):
        schools = {str(s).strip() for s in dataset[SCHOOL]} - {""}
        bases = scoping.visible(self.user, LaborBase.objects.select_related("school")).filter(
            models.Q(school__code__in=schools) | models.Q(school__name__in=schools)
        )
        table = self.fields["base"].widget.table
        for base in bases:
            table[(base.school.code, base.name)] = table[(base.school.name, base.name)] = base
        self.years = {int(y) for y in dataset[YEAR] if str(y).strip().isdigit()}
        self.fields["year"].widget.table = {y.pk: y for y in ReportingYear.objects.filter(pk__in=self.years)}

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if self.validate:
            try:  # the foreign keys were found by the widgets: not read again
                instance.full_clean(exclude=[*errors, "base", "year"], validate_unique=validate_unique)
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
        if not errors:
            key = (instance.base.school_id, instance.year_id)
            if key not in self.blocked:
                self.blocked[key] = scoping.write_block_reason(
                    self.user, school=instance.base.school, year=instance.year, model=ProductionLine
                )
            if self.blocked[key]:
                errors["__all__"] = [self.blocked[key]]
        if errors:
            raise ValidationError(errors)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        objs = self.create_instances
        if objs and (using_transactions or not dry_run):
            try:
                ProductionLine.bulk_prepare(objs)
                bulk_create_with_history(objs, ProductionLine, batch_size=batch_size, default_user=self.user)
                ProductionLine.bulk_saved(objs)
                rows_bulk_created.send(sender=ProductionLine, objs=objs)  # the per-school aggregates follow
            except Exception as exc:  # noqa: BLE001 - reported for the batch, as import-export does
                self.handle_import_error(result, exc, raise_errors)
            finally:
                objs.clear()


def tuned_import(data: bytes, *, user, dry_run: bool, validate: bool = True):
    """The portal's .xlsx through the tuned resource: import-export's ``Result``."""
    dataset = tablib.Dataset().load(io.BytesIO(data).read(), format="xlsx")
    resource = TunedProductionResource(user=user, validate=validate)
    return resource.import_data(dataset, dry_run=dry_run, rollback_on_validation_errors=True)
