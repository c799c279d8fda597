"""Excel data kinds of 学校保险与理赔.

``insurance_coverage``: 学平险 take-up per school and year (template, import, export).
``insurance_claims``: the claims ledger, export only — claims are opened through the
报案 form (which finds the covering policy) and advanced by the bureau; the export
masks the injured person's name and ID number.
"""

from import_export import fields, widgets

from workstudy import excel

from . import selectors
from .models import ClaimantKind, IncidentKind, StudentAccidentCoverage, mask_id_number, mask_name


class CoverageResource(excel.PortalResource):
    school = fields.Field(attribute="school", column_name="学校", widget=excel.SchoolWidget())
    year = fields.Field(attribute="year", column_name="年度", widget=excel.YearWidget())
    # Read from the school's yearly counts (年度基本情况); exported for reference, never imported.
    enrolled = fields.Field(attribute="enrolled", column_name="在校学生数", widget=widgets.IntegerWidget(), readonly=True)
    insured_parent_paid = fields.Field(
        attribute="insured_parent_paid", column_name="家长自愿投保人数", widget=widgets.IntegerWidget()
    )
    poor_students = fields.Field(
        attribute="poor_students", column_name="贫困家庭学生数", widget=widgets.IntegerWidget(), readonly=True
    )
    poor_free_by_insurer = fields.Field(
        attribute="poor_free_by_insurer", column_name="保险公司免费投保贫困生", widget=widgets.IntegerWidget()
    )
    poor_advanced_by_school = fields.Field(
        attribute="poor_advanced_by_school", column_name="学校垫付贫困生", widget=widgets.IntegerWidget()
    )
    advance_amount = fields.Field(attribute="advance_amount", column_name="学校垫付金额（元）", widget=widgets.DecimalWidget())
    voluntary_consent_recorded = fields.Field(
        attribute="voluntary_consent_recorded", column_name="已留存自愿投保确认", widget=excel.BooleanCNWidget()
    )
    column_help = {
        "在校学生数": "由本校年度基本情况中的学生人数自动带出，填写的内容不会导入，可留空",
        "贫困家庭学生数": "由本校年度基本情况中的贫困家庭学生人数自动带出，填写的内容不会导入，可留空",
        "家长自愿投保人数": "家长自费投保学平险的学生（人）；三类投保人数合计不超过本校年度基本情况中的学生人数",
        "保险公司免费投保贫困生": "与“学校垫付贫困生”合计不超过本校年度基本情况中的贫困家庭学生数（人）",
        "学校垫付贫困生": "学校在公用经费中垫付保费的贫困生（人）",
        "学校垫付金额（元）": "有垫付人数时必填，否则填 0",
        "已留存自愿投保确认": "有学生投保时须为“是”（学平险坚持自愿原则）",
    }

    example_values = {"家长自愿投保人数": 300, "保险公司免费投保贫困生": 0, "学校垫付贫困生": 0, "学校垫付金额（元）": 0,
                      "已留存自愿投保确认": "是"}

    def rows_url(self, *, year, school=None):
        return selectors.rows_url("coverage", year, school=school)

    class Meta(excel.PortalResource.Meta):
        model = StudentAccidentCoverage
        fields = (
            "school",
            "year",
            "enrolled",
            "insured_parent_paid",
            "poor_students",
            "poor_free_by_insurer",
            "poor_advanced_by_school",
            "advance_amount",
            "voluntary_consent_recorded",
        )
        import_id_fields = ("school", "year")
        export_select_related = ("school", "year")

    def export_queryset(self, *, year=None, school=None):
        return super().export_queryset(year=year, school=school).with_counts()


class ClaimExportResource(excel.PortalResource):
    claim_no = fields.Field(attribute="claim_no", column_name="案件编号", readonly=True)
    school = fields.Field(attribute="school", column_name="学校", widget=excel.SchoolWidget(), readonly=True)
    year = fields.Field(attribute="year", column_name="年度", widget=excel.YearWidget(), readonly=True)
    policy_type = fields.Field(column_name="险种", readonly=True)
    policy_no = fields.Field(attribute="policy__policy_no", column_name="保单号", readonly=True)
    claimant_kind = fields.Field(
        attribute="claimant_kind", column_name="出险对象", widget=excel.ChoiceWidget(ClaimantKind.choices), readonly=True
    )
    injured = fields.Field(column_name="受伤人员", readonly=True)
    injured_id = fields.Field(column_name="身份证号", readonly=True)
    incident_date = fields.Field(attribute="incident_date", column_name="出险日期", widget=widgets.DateWidget(), readonly=True)
    place = fields.Field(attribute="place", column_name="出险地点", readonly=True)
    incident_kind = fields.Field(
        attribute="incident_kind", column_name="事故类型", widget=excel.ChoiceWidget(IncidentKind.choices), readonly=True
    )
    cause = fields.Field(attribute="cause", column_name="出险经过", readonly=True)
    persons = fields.Field(attribute="persons", column_name="受伤人次", widget=widgets.IntegerWidget(), readonly=True)
    requested_amount = fields.Field(
        attribute="requested_amount", column_name="申请金额（元）", widget=widgets.DecimalWidget(), readonly=True
    )
    assessed_amount = fields.Field(
        attribute="assessed_amount", column_name="核定金额（元）", widget=widgets.DecimalWidget(), readonly=True
    )
    paid_amount = fields.Field(
        attribute="paid_amount", column_name="赔付金额（元）", widget=widgets.DecimalWidget(), readonly=True
    )
    status = fields.Field(column_name="状态", readonly=True)
    reported_date = fields.Field(attribute="reported_date", column_name="报案日期", widget=widgets.DateWidget(), readonly=True)
    paid_date = fields.Field(attribute="paid_date", column_name="赔付日期", widget=widgets.DateWidget(), readonly=True)

    class Meta(excel.PortalResource.Meta):
        from .models import Claim

        model = Claim
        fields = (
            "claim_no",
            "school",
            "year",
            "policy_type",
            "policy_no",
            "claimant_kind",
            "injured",
            "injured_id",
            "incident_date",
            "place",
            "incident_kind",
            "cause",
            "persons",
            "requested_amount",
            "assessed_amount",
            "paid_amount",
            "status",
            "reported_date",
            "paid_date",
        )
        import_id_fields = ("claim_no",)
        export_select_related = ("school", "year", "policy")

    def dehydrate_policy_type(self, obj):
        return obj.policy.get_policy_type_display()

    def dehydrate_injured(self, obj):
        return mask_name(obj.injured_name)

    def dehydrate_injured_id(self, obj):
        return mask_id_number(obj.injured_id_number)

    def dehydrate_status(self, obj):
        return obj.get_status_display()
