"""Excel data kinds of 后勤社会化 (templates, import with preview, export via workstudy.excel)."""

from django.utils.translation import gettext_lazy as _
from import_export import fields, widgets

from workstudy import excel

from . import selectors
from .models import (
    Category,
    CustomerKind,
    ExamLodgingProgram,
    ExamSite,
    SalesLine,
    SchoolService,
    ServiceCentre,
    ServiceKind,
    ServiceMode,
    Shop,
)


class ProgramYearWidget(excel.ScopedForeignKeyWidget):
    """The 年度 column of an exam site: resolves to that year's 中考食宿保障 programme."""

    def __init__(self, **kwargs):
        super().__init__(ExamLodgingProgram, field="year_id", label=_("中考食宿保障年度"), **kwargs)

    def clean(self, value, row=None, **kwargs):
        text = str(value).strip() if value is not None else ""
        if text.endswith(".0"):
            text = text[:-2]
        if text and not text.isdigit():
            raise ValueError(_("年度“%(value)s”应为四位数字，例如 2024。") % {"value": text})
        program = super().clean(text, row, **kwargs)
        if program is None:
            raise ValueError(_("请填写年度，例如 2024。"))
        return program

    def render(self, value, obj=None, **kwargs):
        return value.year_id if value is not None else ""


class SalesLineResource(excel.PortalResource):
    centre = fields.Field(
        attribute="centre", column_name="服务中心", widget=excel.ScopedForeignKeyWidget(ServiceCentre, "name")
    )
    year = fields.Field(attribute="year", column_name="年度", widget=excel.YearWidget())
    shop = fields.Field(attribute="shop", column_name="店面", widget=excel.ScopedForeignKeyWidget(Shop, "name"))
    category = fields.Field(attribute="category", column_name="商品类别", widget=excel.ChoiceWidget(Category.choices))
    customer_kind = fields.Field(
        attribute="customer_kind", column_name="客户类型", widget=excel.ChoiceWidget(CustomerKind.choices)
    )
    amount = fields.Field(attribute="amount", column_name="销售额（元）", widget=widgets.DecimalWidget())
    note = fields.Field(attribute="note", column_name="备注", widget=widgets.CharWidget())
    column_help = {
        "服务中心": "服务中心全称，如 贵溪市腾飞学校后勤服务中心",
        "店面": "店面名称；送货上门等不经店面的销售可留空",
        "销售额（元）": "单位：元，只填数字",
    }

    example_values = {"销售额（元）": 15000}

    def rows_url(self, *, year, school=None):
        return selectors.rows_url("sales", year)

    class Meta(excel.PortalResource.Meta):
        model = SalesLine
        fields = ("centre", "year", "shop", "category", "customer_kind", "amount", "note")
        import_id_fields = ("centre", "year", "shop", "category", "customer_kind")
        export_select_related = ("centre", "year", "shop")


class SchoolServiceResource(excel.PortalResource):
    school = fields.Field(attribute="school", column_name="学校", widget=excel.SchoolWidget())
    year = fields.Field(attribute="year", column_name="年度", widget=excel.YearWidget())
    kind = fields.Field(attribute="kind", column_name="项目", widget=excel.ChoiceWidget(ServiceKind.choices))
    name = fields.Field(attribute="name", column_name="名称", widget=widgets.CharWidget())
    mode = fields.Field(attribute="mode", column_name="经营方式", widget=excel.ChoiceWidget(ServiceMode.choices))
    operator = fields.Field(attribute="operator", column_name="经营方", widget=widgets.CharWidget())
    note = fields.Field(attribute="note", column_name="备注", widget=widgets.CharWidget())
    column_help = {
        "名称": "如“第一食堂”；只有一处可留空",
        "经营方": "承包或托管时必填：承包人或托管单位",
    }

    example_values = {"名称": "第一食堂"}

    def rows_url(self, *, year, school=None):
        return selectors.rows_url("school_services", year, school=school)

    class Meta(excel.PortalResource.Meta):
        model = SchoolService
        fields = ("school", "year", "kind", "name", "mode", "operator", "note")
        import_id_fields = ("school", "year", "kind", "name")
        export_select_related = ("school", "year")


class ExamSiteResource(excel.PortalResource):
    program = fields.Field(attribute="program", column_name="年度", widget=ProgramYearWidget())
    host_school = fields.Field(attribute="host_school", column_name="承办学校", widget=excel.SchoolWidget())
    candidates = fields.Field(attribute="candidates", column_name="食宿考生（人）", widget=widgets.IntegerWidget())
    beds = fields.Field(attribute="beds", column_name="床位（张）", widget=widgets.IntegerWidget())
    note = fields.Field(attribute="note", column_name="备注", widget=widgets.CharWidget())
    column_help = {
        "年度": "已建立中考食宿保障的年度，如 2024",
        "承办学校": "须有学生公寓和学生食堂",
        "床位（张）": "一人一床：不少于食宿考生",
    }

    example_values = {"食宿考生（人）": 300, "床位（张）": 320}

    def rows_url(self, *, year, school=None):
        return selectors.rows_url("exam_sites", year, school=school)

    class Meta(excel.PortalResource.Meta):
        model = ExamSite
        fields = ("program", "host_school", "candidates", "beds", "note")
        import_id_fields = ("program", "host_school")
        export_select_related = ("program", "host_school")
