"""Excel data kind of the enterprises' return figures ("statreturn_enterprise"): one row per
enterprise and year, found by 企业 + 年度. Staff import; everyone who reads the rows exports."""

from import_export import fields, widgets

from enterprises.models import Enterprise
from workstudy import excel

from .models import EnterpriseReturn, Sector


def _money(attribute, column):
    return fields.Field(attribute=attribute, column_name=column, widget=widgets.DecimalWidget())


class EnterpriseReturnResource(excel.PortalResource):
    enterprise = fields.Field(
        attribute="enterprise", column_name="企业", widget=excel.ScopedForeignKeyWidget(Enterprise, "name", label="企业")
    )
    year = fields.Field(attribute="year", column_name="年度", widget=excel.YearWidget())
    sector = fields.Field(attribute="sector", column_name="行业", widget=excel.ChoiceWidget(Sector.choices))
    output_value = _money("output_value", "总产值(元)")
    assets = _money("assets", "资产总额(元)")
    liabilities = _money("liabilities", "负债总额(元)")
    equity = _money("equity", "所有者权益(元)")
    tax_relief = _money("tax_relief", "减免税金(元)")
    use_base_building = _money("use_base_building", "用于基地建设(元)")
    use_school_conditions = _money("use_school_conditions", "用于改善办学条件(元)")
    use_collective_welfare = _money("use_collective_welfare", "用于集体福利(元)")
    use_personal_welfare = _money("use_personal_welfare", "用于个人福利(元)")
    use_other = _money("use_other", "用于其他(元)")
    year_end_balance = _money("year_end_balance", "年末结余(元)")
    note = fields.Field(attribute="note", column_name="备注", widget=widgets.CharWidget())

    keep_default_when_empty = {
        "output_value",
        "assets",
        "liabilities",
        "tax_relief",
        "use_base_building",
        "use_school_conditions",
        "use_collective_welfare",
        "use_personal_welfare",
        "use_other",
        "year_end_balance",
    }
    optional_columns = {"备注"}
    column_help = {
        "企业": "企业全称，须是平台上已登记、本年度已填企业年度数据的校办企业",
        "行业": "农林牧渔业、工业建筑业或第三产业",
        "所有者权益(元)": "= 资产总额 − 负债总额；可留空，由系统计算；填写的数字须与之相等",
        "用于基地建设(元)": "各项用途合计不超过本年度补贴教育经费（见企业年度数据）",
        "年末结余(元)": "利润分配后的年末结余（未分配利润）",
    }
    example_values = {
        "总产值(元)": 520000,
        "资产总额(元)": 800000,
        "负债总额(元)": 300000,
        "所有者权益(元)": 500000,
        "减免税金(元)": 2000,
        "用于基地建设(元)": 5000,
        "用于改善办学条件(元)": 10000,
        "用于集体福利(元)": 2000,
        "用于个人福利(元)": 1000,
        "用于其他(元)": 0,
        "年末结余(元)": 15000,
    }

    class Meta(excel.PortalResource.Meta):
        model = EnterpriseReturn
        fields = EnterpriseReturn.ENTRY_FIELDS
        import_id_fields = ("enterprise", "year")
        export_select_related = ("enterprise", "year")

    def export_queryset(self, *, year=None, school=None):
        return super().export_queryset(year=year, school=school).order_by("year_id", "enterprise__name")

    def rows_url(self, *, year, school=None):
        from django.urls import reverse

        return reverse("statreturn:figures") + f"?year={year}"
