from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from workstudy import limits, scoping
from workstudy.forms import PortalFormMixin, VersionedFormMixin
from workstudy.models import School
from workstudy.widgets import use_school_picker

from . import services
from .models import (
    CLAIM_FILE_ACCEPT,
    PERSONAL_FIELDS,
    Claim,
    ClaimStatus,
    DocumentType,
    FundingRule,
    FundingSource,
    InsurancePolicy,
    Insurer,
    PolicyType,
    PremiumFunding,
    StudentAccidentCoverage,
    check_claim_upload,
    keep_personal,
)

YUAN = {"unit": _("元")}
PERSONS = {"unit": _("人")}
DATE = {"type": "date"}


class InsurerForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Insurer
        fields = ["name", "role", "entrusted_from_year", "service_fee", "contact"]
        widgets = {
            "service_fee": forms.NumberInput(attrs=YUAN),
            "entrusted_from_year": forms.NumberInput(attrs={"unit": _("年")}),
        }


class FundingRuleForm(VersionedFormMixin, forms.ModelForm):
    allowed_sources = forms.MultipleChoiceField(
        label=_("允许的经费来源"), choices=FundingSource.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = FundingRule
        fields = ["insurance_type", "from_year", "to_year", "allowed_sources", "bureau_share_pct", "note"]
        widgets = {"bureau_share_pct": forms.NumberInput(attrs={"unit": "%"})}


class PolicyForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = InsurancePolicy
        fields = [
            "year",
            "policy_no",
            "policy_type",
            "insurer",
            "broker",
            "school",
            "coverage_start",
            "coverage_end",
            "sum_insured",
            "per_accident_limit",
            "per_person_limit",
            "aggregate_limit",
            "premium_rate",
            "insured_count",
            "premium_total",
            "compulsory",
            "note",
        ]
        widgets = {
            "coverage_start": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
            "coverage_end": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
            "sum_insured": forms.NumberInput(attrs=YUAN),
            "per_accident_limit": forms.NumberInput(attrs=YUAN),
            "per_person_limit": forms.NumberInput(attrs=YUAN),
            "aggregate_limit": forms.NumberInput(attrs=YUAN),
            "premium_rate": forms.NumberInput(attrs={"unit": _("元/人/年")}),
            "insured_count": forms.NumberInput(attrs=PERSONS),
            "premium_total": forms.NumberInput(attrs=YUAN),
        }

    accepts_kwargs = ("user",)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # A staff-only form (see the views); no school means a county-wide policy.
        use_school_picker(self, "school", scoping.schools_for(user) if user is not None else School.objects.all())


class FundingForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = PremiumFunding
        fields = ["source", "amount", "persons"]
        widgets = {"amount": forms.NumberInput(attrs=YUAN), "persons": forms.NumberInput(attrs=PERSONS)}

    def __init__(self, *args, policy=None, **kwargs):
        super().__init__(*args, **kwargs)
        if policy is not None:
            self.instance.policy = policy


class CoverageForm(VersionedFormMixin, forms.ModelForm):
    """学平险 take-up; staff choose the school, a principal's is their own."""

    accepts_kwargs = ("user",)

    class Meta:
        model = StudentAccidentCoverage
        fields = [
            "school",
            "insured_parent_paid",
            "poor_free_by_insurer",
            "poor_advanced_by_school",
            "advance_amount",
            "voluntary_consent_recorded",
        ]
        widgets = {
            "insured_parent_paid": forms.NumberInput(attrs={**PERSONS, "min": 0}),
            "poor_free_by_insurer": forms.NumberInput(attrs={**PERSONS, "min": 0}),
            "poor_advanced_by_school": forms.NumberInput(attrs={**PERSONS, "min": 0}),
            "advance_amount": forms.NumberInput(attrs={**YUAN, "min": 0}),
        }

    def __init__(self, *args, user=None, year=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if year is not None and not self.instance.pk:
            self.instance.year = year
        if user is not None and not user.is_bureau:
            del self.fields["school"]
            if not self.instance.pk:
                self.instance.school = user.school
        else:
            use_school_picker(self, "school", scoping.schools_for(user) if user else School.objects.all())
            if self.instance.pk:
                self.fields["school"].disabled = True

    def clean(self):
        cleaned = super().clean()
        school = cleaned.get("school") if "school" in self.fields else self.instance.school
        if not self.instance.pk and school is not None and self.instance.year_id:
            exists = StudentAccidentCoverage.objects.filter(school=school, year_id=self.instance.year_id).exists()
            if exists:
                raise ValidationError(
                    _("%(school)s %(year)s 年度的学平险投保情况已经填写，请在列表中修改原记录。")
                    % {"school": school, "year": self.instance.year_id}
                )
        return cleaned


class ClaimForm(VersionedFormMixin, forms.ModelForm):
    """报案 and correcting a report. The policy is found from the type and the incident date;
    status, assessed and paid amounts are never on this form (see ``services.claim_advance``)."""

    accepts_kwargs = ("user",)
    policy_type = forms.ChoiceField(label=_("险种"), choices=PolicyType.choices)

    class Meta:
        model = Claim
        fields = [
            "school",
            "policy_type",
            "claimant_kind",
            "injured_name",
            "injured_id_number",
            "incident_date",
            "place",
            "incident_kind",
            "cause",
            "persons",
            "requested_amount",
            "reported_date",
        ]
        widgets = {
            "incident_date": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
            "reported_date": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
            "persons": forms.NumberInput(attrs={"unit": _("人次"), "min": 0}),
            "requested_amount": forms.NumberInput(attrs={**YUAN, "min": 0}),
            "cause": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"persons": _("受伤人次"), "requested_amount": _("申请赔偿金额")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.order_fields(self.Meta.fields)
        self.fields["policy_type"].initial = PolicyType.STUDENT
        if self.instance.pk and self.instance.policy_id:
            self.fields["policy_type"].initial = self.instance.policy.policy_type
        if user is not None and not user.is_bureau:
            del self.fields["school"]
            if not self.instance.pk:
                self.instance.school = user.school
        else:
            use_school_picker(self, "school", scoping.schools_for(user) if user else School.objects.all())
            self.fields["school"].required = True
        self.mask_personal_data(user)

    def mask_personal_data(self, user) -> None:
        """Once a claim is saved, a principal never sees the injured person's full name or ID
        number again (every other page masks them): the fields start empty with the masked
        value as a hint, and an edit keeps the stored value unless a new one is typed."""
        self.kept_personal = {}
        if not self.instance.pk or (user is not None and user.is_bureau):
            return
        for name, mask in PERSONAL_FIELDS.items():
            stored = getattr(self.instance, name)
            if not stored:
                continue
            self.kept_personal[name] = stored
            self.initial[name] = ""
            field = self.fields[name]
            field.widget.attrs.update(placeholder=mask(stored), autocomplete="off")
            field.help_text = _("已保存：%(masked)s。留空则保持不变；如需更正，请重新输入完整内容。") % {
                "masked": mask(stored)}

    def _clean_fields(self):
        super()._clean_fields()
        for name, stored in self.kept_personal.items():
            if name in self.cleaned_data:
                self.cleaned_data[name] = keep_personal(stored, self.cleaned_data[name], PERSONAL_FIELDS[name])

    def clean(self):
        cleaned = super().clean()
        school = cleaned.get("school") if "school" in self.fields else self.instance.school
        policy_type, incident_date = cleaned.get("policy_type"), cleaned.get("incident_date")
        if school and policy_type and incident_date:
            policy = services.find_policy(school=school, policy_type=policy_type, incident_date=incident_date)
            if policy is None:
                raise services.no_policy_error(school=school, policy_type=policy_type, incident_date=incident_date)
            self.instance.policy = policy
            self.instance.year_id = policy.year_id
        return cleaned


class ClaimAdvanceForm(PortalFormMixin, forms.Form):
    field_limits = {"assessed_amount": limits.MONEY, "paid_amount": limits.MONEY}

    to_status = forms.ChoiceField(label=_("变更为"), choices=[c for c in ClaimStatus.choices if c[0] != "reported"])
    on_date = forms.DateField(label=_("日期"), required=False, widget=forms.DateInput(attrs=DATE))
    assessed_amount = forms.DecimalField(
        label=_("核定金额"),
        required=False,
        min_value=limits.MONEY.low,
        max_value=limits.MONEY.high,
        max_digits=limits.MONEY.max_digits,
        decimal_places=2,
        widget=forms.NumberInput(attrs=YUAN),
    )
    paid_amount = forms.DecimalField(
        label=_("实际赔付金额"),
        required=False,
        min_value=limits.MONEY.low,
        max_value=limits.MONEY.high,
        max_digits=limits.MONEY.max_digits,
        decimal_places=2,
        widget=forms.NumberInput(attrs=YUAN),
    )
    reason = forms.CharField(label=_("拒赔原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ClaimDocumentForm(PortalFormMixin, forms.Form):
    doc_type = forms.ChoiceField(label=_("材料"), choices=DocumentType.choices)
    received = forms.BooleanField(label=_("已收到"), required=False)
    note = forms.CharField(label=_("备注"), required=False, max_length=200)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (``<input type="file" multiple>``); cleans to a list."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        items = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class ClaimFileForm(PortalFormMixin, forms.Form):
    """Upload of one or more scans/photos for one document of a claim."""

    doc_type = forms.ChoiceField(label=_("材料"), choices=DocumentType.choices)
    files = MultipleFileField(
        label=_("文件"),
        required=False,
        allow_empty_file=True,  # an empty file is refused by check_claim_upload, naming it
        widget=MultipleFileInput(attrs={"accept": CLAIM_FILE_ACCEPT}),
    )

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        if not files:
            raise ValidationError(_("请选择要上传的文件。"))
        errors = []
        for upload in files:
            try:
                check_claim_upload(upload)
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return files
