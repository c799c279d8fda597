"""Excel data kinds of the core: each school's yearly basic counts."""

from urllib.parse import urlencode

from django.urls import reverse
from import_export import fields, widgets

from . import excel
from .models import Submission


class SubmissionCountsResource(excel.PortalResource):
    school = fields.Field(attribute="school", column_name="学校", widget=excel.SchoolWidget())
    year = fields.Field(attribute="year", column_name="年度", widget=excel.YearWidget())
    staff_count = fields.Field(attribute="staff_count", column_name="教职工人数", widget=widgets.IntegerWidget())
    student_count = fields.Field(attribute="student_count", column_name="学生人数", widget=widgets.IntegerWidget())
    boarding_count = fields.Field(attribute="boarding_count", column_name="寄宿生人数", widget=widgets.IntegerWidget())
    poor_student_count = fields.Field(
        attribute="poor_student_count", column_name="贫困家庭学生人数", widget=widgets.IntegerWidget()
    )
    column_help = {
        "教职工人数": "本年度在编在岗教职工（人）",
        "学生人数": "本年度在校学生（人）",
        "贫困家庭学生人数": "不能超过学生人数（人）",
    }

    example_values = {"教职工人数": 30, "学生人数": 400, "寄宿生人数": 100, "贫困家庭学生人数": 12}

    class Meta(excel.PortalResource.Meta):
        model = Submission
        fields = ("school", "year", "staff_count", "student_count", "boarding_count", "poor_student_count")
        import_id_fields = ("school", "year")
        export_select_related = ("school", "year")

    def rows_url(self, *, year, school=None):
        if school is None:
            return ""
        return f"{reverse('school_counts', args=[school])}?{urlencode({'year': year})}"
