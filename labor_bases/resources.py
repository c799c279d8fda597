"""Excel data kinds of the labor-practice bases: plots ("labor_plots") and production
lines ("labor_production"). A row names its base by 学校 + 基地名称; both are looked
up in the user's scope, so a principal can only touch their own school."""

from django.db.models import Q
from django.utils.translation import gettext as _
from import_export import fields, widgets

from workstudy import excel, scoping

from .models import LaborBase, LandParcel, LandType, ProductionLine, Unit

SCHOOL_COLUMN = "学校"
BASE_COLUMN = "基地名称"


class BaseWidget(excel.ScopedForeignKeyWidget):
    """The 基地名称 column, resolved within the school named in the same row."""

    cache_columns = (SCHOOL_COLUMN,)  # the answer depends on the row's school (per-file memo)

    def __init__(self):
        super().__init__(LaborBase, "name", label="基地")

    def _bases(self):
        if self.user is None:
            return LaborBase.objects.none()
        return scoping.visible(self.user, LaborBase.objects.select_related("school"))

    def prefetch(self, rows, column) -> None:
        """Every base the file names, in one query per 2,000 names (with their schools)."""
        if self.user is None:
            return
        names = {excel.cell_text(row.get(column)) for row in rows} - {""}
        schools = {excel.cell_text(row.get(SCHOOL_COLUMN)) for row in rows}
        where = Q(school__code__in=schools - {""}) | Q(school__name__in=schools - {""})
        if "" in schools:  # a row without a school: the principal's own, or any school for the bureau
            where = (where | Q(school_id=self.user.school_id)) if self.user.is_principal else Q()
        table: dict[str, list] = {}
        for chunk in excel.in_chunks(names):
            for base in self._bases().filter(where, name__in=chunk).order_by("pk"):
                table.setdefault(base.name, []).append(base)
        self._table, self._known = table, names

    def _matches_in(self, name: str, school_text: str) -> list:
        if self._table is not None and name in self._known:
            candidates = self._table.get(name, [])
            if school_text:
                return [b for b in candidates if school_text in (b.school.code, b.school.name)][:2]
            if self.user.is_principal:
                return [b for b in candidates if b.school_id == self.user.school_id][:2]
            return candidates[:2]
        bases = self._bases()
        if school_text:
            bases = bases.filter(Q(school__code=school_text) | Q(school__name=school_text))
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
    year = fields.Field(attribute="year", column_name="年度", widget=excel.YearWidget())


class PlotResource(_LaborResource):
    land_type = fields.Field(attribute="land_type", column_name="土地类型", widget=excel.ChoiceWidget(LandType.choices))
    land_type_note = fields.Field(attribute="land_type_note", column_name="其他类型说明", widget=widgets.CharWidget())
    crop = fields.Field(attribute="crop", column_name="种植/养殖品种", widget=widgets.CharWidget())
    area_mu = fields.Field(attribute="area_mu", column_name="面积(亩)", widget=widgets.DecimalWidget())
    note = fields.Field(attribute="note", column_name="备注", widget=widgets.CharWidget())

    keep_default_when_empty = {"land_type_note", "crop", "note"}
    column_help = {
        SCHOOL_COLUMN: "学校全称或学校代码；校长账号可留空，默认为本校。",
        BASE_COLUMN: "须是平台上已登记的基地名称，例如：樟坪中心学校茶园基地",
        "其他类型说明": "土地类型填“其他”时必填，例如：蔬菜大棚",
        "面积(亩)": "必填，大于 0，单位亩，只填数字",
    }

    class Meta(excel.PortalResource.Meta):
        model = LandParcel
        fields = ("school", "base", "year", "land_type", "land_type_note", "crop", "area_mu", "note")
        import_id_fields = ("base", "year", "land_type", "crop")
        export_select_related = ("base__school", "year")

    def export_queryset(self, *, year=None, school=None):
        return super().export_queryset(year=year, school=school).order_by("year_id", "base__school__code", "base__name", "pk")


class ProductionResource(_LaborResource):
    product = fields.Field(attribute="product", column_name="产品", widget=widgets.CharWidget())
    grade = fields.Field(attribute="grade", column_name="等级/规格", widget=widgets.CharWidget())
    quantity = fields.Field(attribute="quantity", column_name="产量", widget=widgets.DecimalWidget())
    unit = fields.Field(attribute="unit", column_name="计量单位", widget=excel.ChoiceWidget(Unit.choices))
    unit_price = fields.Field(attribute="unit_price", column_name="平均单价(元)", widget=widgets.DecimalWidget())
    value = fields.Field(attribute="value", column_name="产值(元)", widget=widgets.DecimalWidget(), readonly=True)
    note = fields.Field(attribute="note", column_name="备注", widget=widgets.CharWidget())

    keep_default_when_empty = {"grade", "note", "unit"}
    column_help = {
        SCHOOL_COLUMN: "学校全称或学校代码；校长账号可留空，默认为本校。",
        BASE_COLUMN: "须是平台上已登记的基地名称",
        "产量": "一年的总产量，只填数字",
        "平均单价(元)": "每个计量单位的平均售价（元）",
        "产值(元)": "由系统按“产量 × 平均单价”计算，填写的内容不会导入，可留空",
    }

    class Meta(excel.PortalResource.Meta):
        model = ProductionLine
        fields = ("school", "base", "year", "product", "grade", "quantity", "unit", "unit_price", "value", "note")
        import_id_fields = ("base", "year", "product", "grade", "unit")
        export_select_related = ("base__school", "year")

    def export_queryset(self, *, year=None, school=None):
        return super().export_queryset(year=year, school=school).order_by("year_id", "base__school__code", "base__name", "pk")
