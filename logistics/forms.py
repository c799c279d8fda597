from django import forms
from django.utils.translation import gettext_lazy as _

from workstudy import scoping
from workstudy.forms import VersionedFormMixin
from workstudy.models import School
from workstudy.widgets import use_school_picker

from .models import (
    CapitalInvestment,
    Category,
    CentreYearFigures,
    ExamLodgingProgram,
    ExamSite,
    SalesLine,
    SchoolService,
    ServiceCentre,
    Shop,
)


def _num(unit, step="1"):
    return forms.NumberInput(attrs={"unit": unit, "step": step, "min": "0"})


def _money(unit=None):
    return forms.NumberInput(attrs={"unit": unit if unit is not None else _("元"), "step": "0.01", "min": "0"})


class ServiceCentreForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = ServiceCentre
        fields = ["name", "founded_year", "exam_lodging_from_year", "note"]
        widgets = {
            "founded_year": _num(_("年")),
            "exam_lodging_from_year": _num(_("年")),
            "note": forms.Textarea(attrs={"rows": 3}),
        }


class ShopForm(VersionedFormMixin, forms.ModelForm):
    categories = forms.MultipleChoiceField(
        label=_("经营类别"), choices=Category.choices, widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Shop
        fields = ["centre", "name", "address", "categories", "opened_year", "active"]
        widgets = {"opened_year": _num(_("年"))}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["categories"] = self.instance.category_list

    def clean_categories(self):
        return ",".join(self.cleaned_data["categories"])


class CentreYearFiguresForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = CentreYearFigures
        fields = ["centre", "year", "vehicles", "deliveries", "cost", "remitted_to_education", "note"]
        widgets = {
            "vehicles": _num(_("辆")), "deliveries": _num(_("次")), "cost": _money(), "remitted_to_education": _money(),
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"vehicles": "", "deliveries": ""}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


class SalesLineForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = SalesLine
        fields = ["centre", "year", "shop", "category", "customer_kind", "amount", "note"]
        widgets = {"amount": _money()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop"].queryset = Shop.objects.select_related("centre").order_by("centre_id", "name")


class CapitalInvestmentForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = CapitalInvestment
        fields = ["centre", "year", "kind", "amount", "note"]
        widgets = {"year": _num(_("年")), "amount": _money()}


class SchoolServiceForm(VersionedFormMixin, forms.ModelForm):
    """Principals enter their own school's rows: the school field is only shown to staff."""

    accepts_kwargs = ("user",)

    class Meta:
        model = SchoolService
        fields = ["school", "year", "kind", "name", "mode", "operator", "note"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and user.is_principal:
            del self.fields["school"]
        else:
            use_school_picker(
                self, "school", scoping.schools_for(user) if user else School.objects.none(), active_only=True
            )
        if self.instance.pk:
            # The year of an existing row does not move.
            del self.fields["year"]


class ExamLodgingProgramForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = ExamLodgingProgram
        fields = [
            "year", "operator", "candidates_lodged", "beds", "meals", "fee_per_candidate", "revenue", "cost",
            "closed_management", "incidents", "family_cost_before", "family_cost_after", "note",
        ]
        widgets = {
            "candidates_lodged": _num(_("人")), "beds": _num(_("张")), "meals": _num(_("人次")), "incidents": _num(_("起")),
            "fee_per_candidate": _money(_("元/人")), "revenue": _money(), "cost": _money(),
            "family_cost_before": _money(_("元/人")), "family_cost_after": _money(_("元/人")),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"candidates_lodged": "", "beds": _("一人一床：床位不少于食宿考生。"), "meals": "", "incidents": ""}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["year"]


class ExamSiteForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = ExamSite
        fields = ["host_school", "candidates", "beds", "note"]
        widgets = {"candidates": _num(_("人")), "beds": _num(_("张"))}
        help_texts = {"candidates": "", "beds": _("一人一床：床位不少于本考点食宿考生。")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A staff-only form (see the views).
        use_school_picker(self, "host_school", School.objects.all(), active_only=True)
        self.fields["host_school"].help_text = _("须有学生公寓和学生食堂，通常为城区学校。")

    def clean_host_school(self):
        school = self.cleaned_data["host_school"]
        program_id = self.instance.program_id
        if school and program_id and ExamSite.objects.filter(program_id=program_id, host_school=school).exclude(
            pk=self.instance.pk
        ).exists():
            raise forms.ValidationError(_("%(school)s 已是本年度的考点。") % {"school": school.name})
        return school
