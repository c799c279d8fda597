from django import forms
from django.utils.translation import gettext_lazy as _

from workstudy import scoping
from workstudy.forms import VersionedFormMixin
from workstudy.models import ReportingYear, School
from workstudy.widgets import use_school_picker

from . import rules
from .models import Enterprise, EnterpriseYearStat, ReformEvent

YUAN = {"unit": _("元"), "step": "0.01", "min": "0", "inputmode": "decimal"}
PERSONS = {"unit": _("人"), "min": "0", "inputmode": "numeric"}


class EnterpriseForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Enterprise
        fields = [
            "name", "kind", "sponsor_school", "sponsor_label", "ownership", "industry", "founded_year",
            "founded_text", "status", "closed_year", "form", "note",
        ]
        widgets = {
            "founded_year": forms.NumberInput(attrs={"unit": _("年"), "min": "1900", "max": "2100"}),
            "closed_year": forms.NumberInput(attrs={"unit": _("年"), "min": "1900", "max": "2100"}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    accepts_kwargs = ("user",)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Enterprises are bureau data (staff-only forms): any school in use of the user's county may sponsor one.
        schools = scoping.schools_for(user) if user is not None else School.objects.all()
        use_school_picker(self, "sponsor_school", schools, active_only=True)
        self.fields["sponsor_school"].empty_label = _("（无，由勤工办主办）")


class YearStatForm(VersionedFormMixin, forms.ModelForm):
    """Yearly figures of one enterprise; the enterprise is fixed by the page (looked up through scoping)."""

    class Meta:
        model = EnterpriseYearStat
        fields = [
            "year", "revenue", "cost", "tax", "remitted_to_education", "employees", "work_study_placements", "note",
        ]
        labels = {
            "revenue": _("销售收入及营业额"),
            "cost": _("成本"),
        }
        widgets = {
            "revenue": forms.NumberInput(attrs=YUAN),
            "cost": forms.NumberInput(attrs=YUAN),
            "tax": forms.NumberInput(attrs=YUAN),
            "remitted_to_education": forms.NumberInput(attrs=YUAN),
            "employees": forms.NumberInput(attrs=PERSONS),
            "work_study_placements": forms.NumberInput(attrs=PERSONS),
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "cost": _("利润 = 销售收入 − 成本，由系统计算。"),
            "remitted_to_education": _("上缴或补贴给学校、教育部门的经费。"),
            "work_study_placements": _("本年为学生提供的勤工俭学岗位数。"),
        }

    def __init__(self, *args, enterprise: Enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.enterprise = enterprise
        self.fields["year"].queryset = ReportingYear.objects.order_by("-year")
        self.fields["year"].empty_label = None
        # Profit is computed, so the cost is required (rule ENT-01, same words as the model's check).
        self.fields["cost"].required = True
        self.fields["cost"].error_messages["required"] = rules.COST_REQUIRED.message

    def _get_validation_exclusions(self):
        # The enterprise is fixed by the page, but one row per enterprise and year must still be checked.
        exclusions = super()._get_validation_exclusions()
        exclusions.discard("enterprise")
        return exclusions


class ReformEventForm(VersionedFormMixin, forms.ModelForm):
    error_field_map = {"date": "month"}
    month = forms.CharField(
        label=_("时间（年月）"), help_text=_("例如 2019-06。"),
        widget=forms.DateInput(attrs={"type": "month", "placeholder": "2019-06"}),
    )

    class Meta:
        model = ReformEvent
        fields = ["kind", "staff_affected", "amount", "counterparty", "note"]
        widgets = {
            "staff_affected": forms.NumberInput(attrs=PERSONS),
            "amount": forms.NumberInput(attrs=YUAN),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    field_order = ["month", "kind", "staff_affected", "amount", "counterparty", "note"]

    def __init__(self, *args, enterprise: Enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.enterprise = enterprise
        if self.instance.pk and self.instance.date:
            self.fields["month"].initial = f"{self.instance.date:%Y-%m}"

    def clean_month(self):
        import datetime
        import re

        raw = self.cleaned_data["month"].strip()
        match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:[-/.]\d{1,2})?", raw)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise forms.ValidationError(_("请按“年-月”填写时间，例如 2019-06（填写的是“%(value)s”）。"), params={"value": raw})
        return datetime.date(int(match.group(1)), int(match.group(2)), 1)

    def _post_clean(self):
        if "month" in getattr(self, "cleaned_data", {}):
            self.instance.date = self.cleaned_data["month"]
        super()._post_clean()
