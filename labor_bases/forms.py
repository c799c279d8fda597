"""Entry forms. Choices of school, base and plot come from the user's scope only, so a
principal cannot post another school's id; units sit beside the fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from workstudy import limits, scoping
from workstudy.forms import VersionedFormMixin
from workstudy.widgets import use_picker, use_school_picker

from . import rules
from .models import BaseYearArea, BaseYearFinance, LaborBase, LandParcel, ProductionLine, StudentPracticeActivity
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
    """A base and its declared total area for the page's year (BaseYearArea).

    The base itself (name, location, ...) has no year; the declared area belongs to the
    year the page is showing. When that year cannot be written (locked, submitted,
    approved) the area field is shown disabled and never saved, so editing a base in
    2024 can never change 2023's area.
    """

    declared_total_mu = forms.DecimalField(
        label=_("申报总面积"), required=False, max_digits=limits.AREA.max_digits, decimal_places=2, widget=_num(_("亩")),
        help_text=_("基地本年度登记的总面积。各地块面积之和应与它一致，不一致时审核页会提醒。"),
    )
    field_order = ["school", "name", "location", "established_year", "declared_total_mu", "active", "note"]
    field_limits = {"declared_total_mu": limits.AREA}

    class Meta:
        model = LaborBase
        fields = ["school", "name", "location", "established_year", "active", "note"]
        widgets = {
            "established_year": forms.NumberInput(attrs={"unit": _("年"), "min": "1900", "step": "1"}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["declared_total_mu"]
        self.area_year = getattr(self.year, "pk", self.year)
        self.area_row = None
        if self.area_year is None:
            field.disabled = True
            field.help_text = _("申报总面积按年度填写，请从某一年度的基地页面进入后修改。")
            return
        field.label = _("%(year)s 年申报总面积") % {"year": self.area_year}
        if self.instance.pk:
            self.area_row = BaseYearArea.objects.filter(base=self.instance, year_id=self.area_year).first()
        if self.area_row is not None:
            field.initial = self.area_row.declared_total_mu
        school = self.instance.school_id if self.instance.pk else (
            self.user.school_id if self.user is not None and self.user.is_principal else None)
        reason = scoping.write_block_reason(self.user, school=school, year=self.area_year) if self.user else None
        if self.instance.pk and reason:
            field.disabled = True
            field.help_text = reason
        elif self.area_row is None and self.instance.pk:
            # Suggest the latest earlier year's area; saving records it for this year.
            earlier = (BaseYearArea.objects.filter(base=self.instance, year_id__lt=self.area_year)
                       .order_by("-year_id").first())
            if earlier is not None:
                field.initial = earlier.declared_total_mu
                field.help_text = _("已按 %(year)s 年的申报总面积预填，保存后记为本年度的申报总面积。") % {
                    "year": earlier.year_id}

    def clean_declared_total_mu(self):
        value = self.cleaned_data.get("declared_total_mu")
        if value is not None and value <= 0:
            raise rules.AREA_POSITIVE.error(value=value)
        return value

    def clean(self):
        cleaned = super().clean()
        field = self.fields["declared_total_mu"]
        if not field.disabled and self.area_year is not None and not self.instance.pk:
            # A new base: the area is written for the page's year, which must be open to this user.
            school = cleaned.get("school") or (self.user.school if self.user is not None and self.user.is_principal
                                               else None)
            value = cleaned.get("declared_total_mu")
            reason = scoping.write_block_reason(self.user, school=school, year=self.area_year) if self.user else None
            if value is not None and reason:
                self.add_error("declared_total_mu", reason)
        return cleaned

    def save(self, commit=True):
        base = super().save(commit=commit)
        if commit:
            self.save_area(base)
        return base

    def save_area(self, base) -> None:
        field = self.fields["declared_total_mu"]
        if field.disabled or self.area_year is None:
            return
        value = self.cleaned_data.get("declared_total_mu")
        row = self.area_row
        if value is None:
            if row is not None:
                row.delete()
            return
        if row is None:
            row = BaseYearArea(base=base, year_id=self.area_year, declared_total_mu=value)
        elif row.declared_total_mu == value:
            return
        row.declared_total_mu = value
        row.full_clean()
        row.save()


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
