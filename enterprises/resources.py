"""Excel data kind of the enterprises: one row per enterprise per year ("enterprise_figures")."""

from import_export import fields, widgets

from workstudy import excel

from . import selectors
from .models import Enterprise, EnterpriseYearStat


class EnterpriseFiguresResource(excel.PortalResource):
    enterprise = fields.Field(
        attribute="enterprise", column_name="企业", widget=excel.ScopedForeignKeyWidget(Enterprise, "name", label="企业"),
    )
    year = fields.Field(attribute="year", column_name="年度", widget=excel.YearWidget())
    revenue = fields.Field(attribute="revenue", column_name="销售收入及营业额(元)", widget=widgets.DecimalWidget())
    cost = fields.Field(attribute="cost", column_name="成本(元)", widget=widgets.DecimalWidget())
    profit = fields.Field(attribute="profit", column_name="利润(元)", widget=widgets.DecimalWidget(), readonly=True)
    tax = fields.Field(attribute="tax", column_name="缴纳税金(元)", widget=widgets.DecimalWidget())
    remitted_to_education = fields.Field(
        attribute="remitted_to_education", column_name="补贴教育经费(元)", widget=widgets.DecimalWidget(),
    )
    employees = fields.Field(attribute="employees", column_name="职工人数(人)", widget=widgets.IntegerWidget())
    work_study_placements = fields.Field(
        attribute="work_study_placements", column_name="学生勤工俭学岗位(人)", widget=widgets.IntegerWidget(),
    )
    note = fields.Field(attribute="note", column_name="备注", widget=widgets.CharWidget())

    # Empty number cells keep the model's default (0) instead of failing on NULL.
    keep_default_when_empty = {"tax", "remitted_to_education", "employees", "work_study_placements"}
    column_help = {
        "企业": "企业全称，须是平台上已登记的校办企业",
        "利润(元)": "由系统按“销售收入 − 成本”计算，填写的内容不会导入，可留空",
        "成本(元)": "利润 = 销售收入 − 成本",
        "补贴教育经费(元)": "上缴或补贴给学校、教育部门的经费",
    }

    example_values = {"销售收入及营业额(元)": 500000, "成本(元)": 420000, "缴纳税金(元)": 8000,
                      "补贴教育经费(元)": 20000, "职工人数(人)": 12, "学生勤工俭学岗位(人)": 6}

    class Meta(excel.PortalResource.Meta):
        model = EnterpriseYearStat
        fields = (
            "enterprise", "year", "revenue", "cost", "profit", "tax", "remitted_to_education", "employees",
            "work_study_placements", "note",
        )
        import_id_fields = ("enterprise", "year")
        export_select_related = ("enterprise", "year")

    def export_queryset(self, *, year=None, school=None):
        return super().export_queryset(year=year, school=school).order_by("year_id", "enterprise__name")

    def rows_url(self, *, year, school=None):
        return selectors.rows_url("figures", year)
