"""Excel data kind of 劳动教育 ("labor_education"): one row per school and year, found by
学校 + 年度. The bases used are listed on export only (the import leaves them as they are:
they are ticked on the record's page)."""

from django.urls import reverse
from import_export import fields, widgets

from workstudy import excel

from .models import LaborEducation

BASES_COLUMN = "使用的劳动实践基地（仅导出）"


class LaborEducationResource(excel.PortalResource):
    school = fields.Field(attribute="school", column_name="学校", widget=excel.SchoolWidget())
    year = fields.Field(attribute="year", column_name="年度", widget=excel.YearWidget())
    class_periods_per_week = fields.Field(
        attribute="class_periods_per_week", column_name="劳动教育课（课时/周）", widget=widgets.DecimalWidget())
    out_of_class_hours_per_week = fields.Field(
        attribute="out_of_class_hours_per_week", column_name="课外劳动（小时/周）", widget=widgets.DecimalWidget())
    labor_week_held = fields.Field(attribute="labor_week_held", column_name="开展劳动周", widget=excel.BooleanCNWidget())
    labor_week_days = fields.Field(attribute="labor_week_days", column_name="劳动周天数", widget=widgets.IntegerWidget())
    students_taking_part = fields.Field(
        attribute="students_taking_part", column_name="参与学生（人）", widget=widgets.IntegerWidget())
    note = fields.Field(attribute="note", column_name="备注", widget=widgets.CharWidget())
    bases_used = fields.Field(column_name=BASES_COLUMN, readonly=True)

    column_help = {
        "劳动教育课（课时/周）": "每周课时，可有小数（隔周一节填 0.5）；纲要要求不少于 1",
        "课外劳动（小时/周）": "每周小时数；纲要要求不少于 2",
        "开展劳动周": "填“是”或“否”",
        "劳动周天数": "未开展劳动周填 0",
        "参与学生（人）": "不超过本校本年度学生人数",
        BASES_COLUMN: "导入时不读此列；请在网页上勾选",
    }
    keep_default_when_empty = {"class_periods_per_week", "out_of_class_hours_per_week", "labor_week_days"}
    optional_columns = {"备注", BASES_COLUMN}
    example_values = {
        "劳动教育课（课时/周）": 1, "课外劳动（小时/周）": 2, "开展劳动周": "是", "劳动周天数": 5, "参与学生（人）": 300,
    }

    def dehydrate_bases_used(self, obj):
        return "、".join(base.name for base in obj.bases_used.all())

    def export_queryset(self, *, year=None, school=None):
        return super().export_queryset(year=year, school=school).prefetch_related("bases_used")

    def rows_url(self, *, year, school=None):
        return reverse("labor_education:index") + f"?year={year}" + (f"&school={school}" if school else "")

    class Meta(excel.PortalResource.Meta):
        model = LaborEducation
        fields = (
            "school", "year", "class_periods_per_week", "out_of_class_hours_per_week", "labor_week_held",
            "labor_week_days", "students_taking_part", "note", "bases_used",
        )
        import_id_fields = ("school", "year")
        export_select_related = ("school", "year")
