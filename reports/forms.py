from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from workstudy import scoping
from workstudy.forms import PortalAdminForm, PortalFormMixin, VersionedFormMixin
from workstudy.models import School

from .models import DatedFact, ExampleSchool, NarrativeBlock, PolicyDocument, StatedFigure, SummarySettings


class CountyRowFormMixin:
    """Checks one row per county (:func:`reports.models.unique_per_county`) although the county is
    not a field of the form: it is the writer's, set on the instance before validation (by the
    page, or here for ``stamp_user``: :func:`workstudy.scoping.stamp_county`)."""

    stamp_user = None

    def validate_unique(self):
        super().validate_unique()
        if self.stamp_user is not None:
            scoping.stamp_county(self.stamp_user, self.instance)
        try:
            self.instance.validate_constraints()
        except ValidationError as exc:
            self._update_errors(exc)


class CountyRowAdminForm(CountyRowFormMixin, PortalAdminForm):
    pass


class NarrativeForm(CountyRowFormMixin, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = NarrativeBlock
        fields = ["heading", "text", "approved"]
        widgets = {"text": forms.Textarea(attrs={"rows": 14, "maxlength": 20000})}

    def __init__(self, *args, can_approve=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.can_approve = can_approve
        self.fields["text"].max_length = 20000
        if not can_approve:
            self.fields["approved"].disabled = True
            self.fields["approved"].help_text = _("由勤工办主任审定。修改正文后需重新审定。")

    def clean(self):
        cleaned = super().clean()
        if not self.can_approve and self.instance.pk and "text" in self.changed_data:
            cleaned["approved"] = False
        return cleaned


class SummarySettingsForm(CountyRowFormMixin, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = SummarySettings
        fields = ["period_start", "subsidy_mode", "base_coverage_threshold"]


class PolicyDocumentForm(CountyRowFormMixin, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = PolicyDocument
        fields = ["title", "issuer", "doc_no", "date", "kind", "topic"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}


class DatedFactForm(CountyRowFormMixin, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = DatedFact
        fields = ["year", "month", "note"]


class ExampleSchoolForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = ExampleSchool
        fields = ["school", "mode", "order", "feature"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = School.objects.filter(active=True).order_by("code")


class StatedFigureForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = StatedFigure
        fields = ["key", "value", "source"]


class _YearRowsFormSet(forms.BaseModelFormSet):
    """The rows of one year: every form's instance gets the year, and one school (or one
    figure from one source) appears once."""

    unique_together: tuple[str, ...] = ()
    duplicate_message = ""

    def __init__(self, *args, year, **kwargs):
        self.year = year
        super().__init__(*args, **kwargs)

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.year = self.year
        return form

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk or self._should_delete_form(form):
                continue
            data = getattr(form, "cleaned_data", None) or {}
            key = tuple(data.get(name) for name in self.unique_together)
            if None in key:
                continue
            if key in seen:
                form.add_error(self.unique_together[0], self.duplicate_message)
            seen.add(key)


class ExampleFormSet(_YearRowsFormSet):
    unique_together = ("school",)
    duplicate_message = _("这所学校已经选过了，每所学校只选一次。")


class StatedFormSet(_YearRowsFormSet):
    unique_together = ("key", "source")
    duplicate_message = _("同一出处的同一个数字只登记一次。")


def example_formset(*args, year, **kwargs):
    cls = forms.modelformset_factory(ExampleSchool, form=ExampleSchoolForm, formset=ExampleFormSet, extra=2,
                                     can_delete=True)
    return cls(*args, year=year, queryset=ExampleSchool.objects.filter(year=year).select_related("school"),
               prefix="ex", **kwargs)


def stated_formset(*args, year, county=None, **kwargs):
    """The stated figures of ``year`` of ``county`` (a Region; None: the shared ones)."""
    cls = forms.modelformset_factory(StatedFigure, form=StatedFigureForm, formset=StatedFormSet, extra=2,
                                     can_delete=True)
    rows = StatedFigure.objects.filter(year=year)
    rows = rows.filter(county=county) if county is not None else rows.filter(county__isnull=True)
    return cls(*args, year=year, queryset=rows, prefix="st", **kwargs)
