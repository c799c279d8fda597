"""Excel data kinds of the labor-practice bases: plots ("labor_plots") and production
lines ("labor_production"). A row names its base by 学校 + 基地名称; both are looked
up in the user's scope, so a principal can only touch their own school. A production
line may name its plot (所在地块) by its land type and crop, e.g. 茶园·茶, within its
row's base and year."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from import_export import fields, widgets

from workstudy import excel, scoping

from . import selectors
from .models import LaborBase, LandParcel, LandType, ProductionLine, Unit

SCHOOL_COLUMN = "学校"
BASE_COLUMN = "基地名称"
YEAR_COLUMN = "年度"
PLOT_COLUMN = "所在地块"


class BaseWidget(excel.ScopedForeignKeyWidget):
    """The 基地名称 column, resolved within the school named in the same row."""

    cache_columns = (SCHOOL_COLUMN,)  # the answer depends on the row's school (per-file memo)

    def __init__(self):
        super().__init__(LaborBase, "name", label="基地")
        self._school_table: dict[str, list] | None = None  # {学校 cell: [School]} of the file
        self._school_known: set = set()

    def _bases(self):
        if self.user is None:
            return LaborBase.objects.none()
        return scoping.visible(self.user, LaborBase.objects.select_related("school"))

    def _schools_named(self, texts) -> dict[str, list]:
        """The schools the user reads that ``texts`` name (by code, else by name: one per county)."""
        return excel.schools_by_text(scoping.schools_for(self.user).select_related("county"), texts)

    def prefetch(self, rows, column) -> None:
        """Every base the file names, in one query per 2,000 names (with their schools)."""
        if self.user is None:
            return
        names = {excel.cell_text(row.get(column)) for row in rows} - {""}
        schools = {excel.cell_text(row.get(SCHOOL_COLUMN)) for row in rows}
        self._school_table, self._school_known = self._schools_named(schools - {""}), schools - {""}
        where = Q(school_id__in={school.pk for found in self._school_table.values() for school in found})
        if "" in schools:  # a row without a school: the principal's own, or any school for the bureau
            where = (where | Q(school_id=self.user.school_id)) if self.user.is_principal else Q()
        table: dict[str, list] = {}
        for chunk in excel.in_chunks(names):
            for base in self._bases().filter(where, name__in=chunk).order_by("pk"):
                table.setdefault(base.name, []).append(base)
        self._table, self._known = table, names

    def _school_of_row(self, school_text: str):
        """The school the row's 学校 cell names, or None when it names none the user reads; a name
        several of those schools bear (in different counties) is refused: the code is asked for."""
        if self._school_table is not None and school_text in self._school_known:
            found = self._school_table.get(school_text, [])
        else:
            found = self._schools_named([school_text]).get(school_text, [])
        if len(found) > 1:
            raise ValueError(excel.ambiguous_school_message(school_text, found))
        return found[0] if found else None

    def _matches_in(self, name: str, school_text: str) -> list:
        school = self._school_of_row(school_text) if school_text and self.user is not None else None
        if school_text and school is None:
            return []
        if self._table is not None and name in self._known:
            candidates = self._table.get(name, [])
            if school is not None:
                return [b for b in candidates if b.school_id == school.pk][:2]
            if self.user.is_principal:
                return [b for b in candidates if b.school_id == self.user.school_id][:2]
            return candidates[:2]
        bases = self._bases()
        if school is not None:
            bases = bases.filter(school_id=school.pk)
        elif self.user is not None and self.user.is_principal:
            bases = bases.filter(school_id=self.user.school_id)
        return list(bases.filter(name=name)[:2])

    def clean(self, value, row=None, **kwargs):
        name = excel.cell_text(value)
        if not name:
            raise ValueError(_("请填写基地名称。"))
        school_text = excel.cell_text((row or {}).get(SCHOOL_COLUMN))
        matches = self._matches_in(name, school_text)
        if not matches:
            where = f"“{school_text}”" if school_text else _("本校")
            raise ValueError(_("%(where)s没有名为“%(name)s”的基地，请先在平台上新增基地，或核对名称。") % {
                "where": where, "name": name})
        if len(matches) > 1:
            raise ValueError(_("有多个名为“%(name)s”的基地，请在“学校”列写明学校。") % {"name": name})
        return matches[0]

    def template_choices(self, *, school=None, year=None) -> list[str]:
        """The names of the bases this column finds (of ``school`` when given)."""
        bases = self._bases()
        if school is not None:
            bases = bases.filter(school_id=getattr(school, "pk", school))
        return list(bases.order_by("name").values_list("name", flat=True).distinct())


def plot_label(parcel: LandParcel) -> str:
    """How the template and the import name a plot within its base and year: 土地类型·品种."""
    crop = parcel.crop.strip()
    return f"{parcel.land_type_label}·{crop}" if crop else parcel.land_type_label


class ParcelWidget(widgets.Widget):
    """The 所在地块 column: a plot (by :func:`plot_label`) of the row's base in the row's year,
    or empty. The base and year are those the row's own columns resolve to."""

    cache_columns = (SCHOOL_COLUMN, BASE_COLUMN, YEAR_COLUMN)  # the answer depends on the row's base and year

    def __init__(self):
        super().__init__()
        self.user = None
        self.base_widget: BaseWidget | None = None  # set by the resource
        self.year_widget: excel.YearWidget | None = None
        self._table: dict[tuple, dict[str, list]] | None = None

    def _parcels(self):
        if self.user is None:
            return LandParcel.objects.none()
        return scoping.visible(self.user, LandParcel.objects.select_related("base"))

    @staticmethod
    def _by_label(parcels) -> dict[tuple, dict[str, list]]:
        table: dict[tuple, dict[str, list]] = {}
        for parcel in parcels:
            table.setdefault((parcel.base_id, parcel.year_id), {}).setdefault(plot_label(parcel), []).append(parcel)
        return table

    def prefetch(self, rows, column) -> None:
        """The plots of every base the file names (one query per 2,000 bases)."""
        known = self.base_widget._table if self.base_widget is not None else None
        if self.user is None or known is None:
            return
        base_ids = {base.pk for found in known.values() for base in found}
        parcels = []
        for chunk in excel.in_chunks(base_ids):
            parcels.extend(self._parcels().filter(base_id__in=chunk).order_by("pk"))
        self._table = self._by_label(parcels)

    def _plots_of(self, base, year) -> dict[str, list]:
        if self._table is not None:
            return self._table.get((base.pk, year.pk), {})
        return self._by_label(self._parcels().filter(base=base, year=year).order_by("pk")).get((base.pk, year.pk), {})

    def clean(self, value, row=None, **kwargs):
        text = excel.cell_text(value)
        if not text:
            return None
        row = row or {}
        try:
            base = self.base_widget.clean(row.get(BASE_COLUMN), row=row)
            year = self.year_widget.clean(row.get(YEAR_COLUMN), row=row)
        except (ValueError, ValidationError):
            return None  # the base's or year's own cell is reported; the plot cannot be looked up
        plots = self._plots_of(base, year)
        found = plots.get(text, [])
        if not found:
            known = "、".join(sorted(plots)) or _("（无）")
            raise ValueError(_("基地“%(base)s”%(year)s 年没有地块“%(value)s”。这个基地当年的地块：%(known)s。"
                               "可不填，或先在“基地地块”中登记。") % {
                "base": base.name, "year": year.pk, "value": text, "known": known})
        if len(found) > 1:
            raise ValueError(_("基地“%(base)s”%(year)s 年有多个地块“%(value)s”，无法确定是哪一块，请不填或联系勤工办。") % {
                "base": base.name, "year": year.pk, "value": text})
        return found[0]

    def render(self, value, obj=None, **kwargs):
        return plot_label(value) if value is not None else ""

    def template_choices(self, *, school=None, year=None) -> list[str]:
        """The labels of the plots this column finds in ``year`` (of ``school`` when given)."""
        parcels = self._parcels()
        if school is not None:
            parcels = parcels.filter(base__school_id=getattr(school, "pk", school))
        if year is not None:
            parcels = parcels.filter(year_id=getattr(year, "pk", year))
        kinds = parcels.order_by().values_list("land_type", "land_type_note", "crop").distinct()
        return sorted({plot_label(LandParcel(land_type=t, land_type_note=note, crop=crop)) for t, note, crop in kinds})


class _SchoolColumn(widgets.Widget):
    """Export-only helper column: the base's school (import reads it through BaseWidget)."""

    def clean(self, value, row=None, **kwargs):
        return None

    def render(self, value, obj=None, **kwargs):
        return value.name if value is not None else ""


class _LaborResource(excel.PortalResource):
    # Read-only: the 学校 column is read by BaseWidget to find the base, never imported itself.
    school = fields.Field(attribute="base__school", column_name=SCHOOL_COLUMN, widget=_SchoolColumn(), readonly=True)
    base = fields.Field(attribute="base", column_name=BASE_COLUMN, widget=BaseWidget())
    year = fields.Field(attribute="year", column_name=YEAR_COLUMN, widget=excel.YearWidget())

    def template_example(self, lists, *, school=None, year=None):
        """The example names a base of the example's school (the first of ``school``'s, or of
        the first school with one)."""
        row = super().template_example(lists, school=school, year=year)
        self._example_base = None
        bases = self.fields["base"].widget._bases().order_by("school__code", "name")
        if school is not None:
            bases = bases.filter(school_id=school.pk)
        base = bases.first()
        if base is not None:
            row[SCHOOL_COLUMN] = excel.school_cell_text(base.school, scoping.schools_for(self.user))
            row[BASE_COLUMN] = base.name
            self._example_base = base
        else:
            row[BASE_COLUMN] = "樟坪中心学校茶园基地"  # a name, as the column help gives it
        return row

    def rows_url(self, *, year, school=None):
        return selectors.rows_url(self.rows_kind, year, school=school)


class PlotResource(_LaborResource):
    land_type = fields.Field(attribute="land_type", column_name="土地类型", widget=excel.ChoiceWidget(LandType.choices))
    land_type_note = fields.Field(attribute="land_type_note", column_name="其他类型说明", widget=widgets.CharWidget())
    crop = fields.Field(attribute="crop", column_name="种植/养殖品种", widget=widgets.CharWidget())
    area_mu = fields.Field(attribute="area_mu", column_name="面积(亩)", widget=widgets.DecimalWidget())
    note = fields.Field(attribute="note", column_name="备注", widget=widgets.CharWidget())

    rows_kind = "plots"
    keep_default_when_empty = {"land_type_note", "crop", "note"}
    column_help = {
        SCHOOL_COLUMN: "学校全称或学校代码；校长账号可留空，默认为本校。",
        BASE_COLUMN: "须是平台上已登记的基地名称，例如：樟坪中心学校茶园基地",
        "其他类型说明": "土地类型填“其他”时必填，例如：蔬菜大棚",
        "种植/养殖品种": "例如：茶、桔、雪梨、水稻、草鱼",
        "面积(亩)": "大于 0，单位亩，只填数字",
    }
    example_values = {"土地类型": "茶园", "种植/养殖品种": "茶", "面积(亩)": 12.5}

    class Meta(excel.PortalResource.Meta):
        model = LandParcel
        fields = ("school", "base", "year", "land_type", "land_type_note", "crop", "area_mu", "note")
        import_id_fields = ("base", "year", "land_type", "crop")
        export_select_related = ("base__school", "year")

    def export_queryset(self, *, year=None, school=None):
        return super().export_queryset(year=year, school=school).order_by("year_id", "base__school__code", "base__name", "pk")


class ProductionResource(_LaborResource):
    parcel = fields.Field(attribute="parcel", column_name=PLOT_COLUMN, widget=ParcelWidget())
    product = fields.Field(attribute="product", column_name="产品", widget=widgets.CharWidget())
    grade = fields.Field(attribute="grade", column_name="等级/规格", widget=widgets.CharWidget())
    quantity = fields.Field(attribute="quantity", column_name="产量", widget=widgets.DecimalWidget())
    unit = fields.Field(attribute="unit", column_name="计量单位", widget=excel.ChoiceWidget(Unit.choices))
    unit_price = fields.Field(attribute="unit_price", column_name="平均单价(元)", widget=widgets.DecimalWidget())
    value = fields.Field(attribute="value", column_name="产值(元)", widget=widgets.DecimalWidget(), readonly=True)
    note = fields.Field(attribute="note", column_name="备注", widget=widgets.CharWidget())

    rows_kind = "lines"
    keep_default_when_empty = {"grade", "note", "unit"}
    # Files made from templates without the plot column still import (their lines keep their plot).
    optional_columns = frozenset({PLOT_COLUMN})
    column_help = {
        SCHOOL_COLUMN: "学校全称或学校代码；校长账号可留空，默认为本校。",
        BASE_COLUMN: "须是平台上已登记的基地名称",
        PLOT_COLUMN: "这一产品出自本基地当年的哪块地，写作“土地类型·品种”，如 茶园·茶；可不填",
        "产品": "例如：茶叶、稻谷、桔、鲜鱼",
        "等级/规格": "例如：一级嫩茶、二级茶",
        "产量": "一年的总产量，单位见“计量单位”列，只填数字",
        "计量单位": "留空为千克",
        "平均单价(元)": "每个计量单位的平均售价（元）",
        "产值(元)": "由系统按“产量 × 平均单价”计算，填写的内容不会导入，可留空",
    }
    example_values = {"产品": "茶叶", "等级/规格": "一级嫩茶", "产量": 120, "计量单位": "千克", "平均单价(元)": 300}

    class Meta(excel.PortalResource.Meta):
        model = ProductionLine
        fields = ("school", "base", "year", "parcel", "product", "grade", "quantity", "unit", "unit_price", "value",
                  "note")
        import_id_fields = ("base", "year", "product", "grade", "unit")
        export_select_related = ("base__school", "year")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        parcel = self.fields["parcel"].widget
        parcel.base_widget, parcel.year_widget = self.fields["base"].widget, self.fields["year"].widget

    def export_columns(self):
        # The export keeps its columns as they were (files made from it upload again unchanged).
        return [field for field in super().export_columns() if field.column_name != PLOT_COLUMN]

    def template_choices(self, field, *, school=None, year=None):
        if field.column_name != "产品":
            return super().template_choices(field, school=school, year=year)
        # Any product is accepted: the list suggests those the school's lines already name.
        lines = scoping.visible(self.user, ProductionLine)
        if school is not None:
            lines = lines.filter(base__school_id=school.pk)
        return list(lines.order_by("product").values_list("product", flat=True).distinct()), False

    def template_example(self, lists, *, school=None, year=None):
        """The example names a plot of the example's base in the template's year, if it has one."""
        row = super().template_example(lists, school=school, year=year)
        row.pop(PLOT_COLUMN, None)
        widget = self.fields["parcel"].widget
        base = getattr(self, "_example_base", None)  # the base the example row names, by id
        parcels = widget._parcels().filter(base=base, year=year) if base is not None else None
        parcel = parcels.order_by("pk").first() if parcels is not None and year is not None else None
        if parcel is not None:
            row[PLOT_COLUMN] = plot_label(parcel)
        return row

    def export_queryset(self, *, year=None, school=None):
        return super().export_queryset(year=year, school=school).order_by("year_id", "base__school__code", "base__name", "pk")
