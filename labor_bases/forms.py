"""Entry forms. Choices of school, base and plot come from the user's scope only, so a
principal cannot post another school's id; units sit beside the fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from workstudy import scoping
from workstudy.forms import VersionedFormMixin
from workstudy.widgets import use_picker, use_school_picker

from .models import BaseYearFinance, LaborBase, LandParcel, ProductionLine, StudentPracticeActivity
from .pickers import BASES, PARCELS


def _num(unit: str, **attrs) -> forms.NumberInput:
    return forms.NumberInput(attrs={"unit": unit, "step": "0.01", "min": "0", "inputmode": "decimal", **attrs})


def _int(unit: str) -> forms.NumberInput:
    return forms.NumberInput(attrs={"unit": unit, "step": "1", "min": "0", "inputmode": "numeric"})


class _ScopedForm(VersionedFormMixin, forms.ModelForm):
    accepts_kwargs = ("user", "year")

    def __init__(self, *args, user=None, year=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.year = user, year
        year_id = getattr(year, "pk", year) or getattr(self.instance, "year_id", None)
        if "school" in self.fields:
            if user is not None and user.is_principal:
                self.fields["school"].queryset = scoping.schools_for(user).filter(active=True)
                if not self.initial.get("school"):
                    self.initial["school"] = user.school_id
                self.fields["school"].widget = forms.HiddenInput()
            else:
                use_school_picker(self, "school", scoping.schools_for(user), active_only=True)
        # Bases and plots: a drop-down for a school's few, a search box for the bureau's
        # thousands (workstudy.widgets pickers; the choices stay the user's scope).
        if "base" in self.fields:
            bases = scoping.visible(user, LaborBase.objects.select_related("school"))
            new = self.instance.pk is None
            if new:
                bases = bases.filter(active=True)
            if user is not None and user.is_principal:
                self.fields["base"].queryset = bases
                if new and len(bases) == 1 and not self.initial.get("base"):
                    self.initial["base"] = bases[0].pk
            else:
                use_picker(self, "base", bases, BASES, search_params={"active": "1"} if new else None)
        if "parcel" in self.fields:
            parcels = scoping.visible(user, LandParcel.objects.select_related("base"))
            parcels = parcels.filter(year_id=year_id) if year_id else parcels.none()
            use_picker(self, "parcel", parcels, PARCELS, search_params={"year": year_id} if year_id else None)


class LaborBaseForm(_ScopedForm):
    class Meta:
        model = LaborBase
        fields = ["school", "name", "location", "established_year", "declared_total_mu", "active", "note"]
        widgets = {
            "declared_total_mu": _num(_("亩")),
            "established_year": forms.NumberInput(attrs={"unit": _("年"), "min": "1900", "step": "1"}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }


class LandParcelForm(_ScopedForm):
    class Meta:
        model = LandParcel
        fields = ["base", "land_type", "land_type_note", "crop", "area_mu", "note"]
        widgets = {"area_mu": _num(_("亩"))}


class ProductionLineForm(_ScopedForm):
    class Meta:
        model = ProductionLine
        fields = ["base", "parcel", "product", "grade", "quantity", "unit", "unit_price", "note"]
        widgets = {
            "quantity": _num(""),
            "unit_price": _num(_("元 / 计量单位")),
        }
        help_texts = {"quantity": _("一年的总产量，单位在下一格选择")}


class BaseYearFinanceForm(_ScopedForm):
    class Meta:
        model = BaseYearFinance
        fields = [
            "base", "other_income", "seedling_cost", "fertilizer_cost", "labor_cost", "equipment_cost", "other_cost",
            "remitted_to_school", "note",
        ]
        widgets = {
            "other_income": _num(_("元")),
            "seedling_cost": _num(_("元")),
            "fertilizer_cost": _num(_("元")),
            "labor_cost": _num(_("元")),
            "equipment_cost": _num(_("元")),
            "other_cost": _num(_("元")),
            "remitted_to_school": _num(_("元")),
            "note": forms.Textarea(attrs={"rows": 2}),
        }


class StudentPracticeActivityForm(_ScopedForm):
    class Meta:
        model = StudentPracticeActivity
        fields = ["school", "base", "activity", "participants", "days", "note"]
        widgets = {"participants": _int(_("人次")), "days": _int(_("天"))}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["base"].required = False
