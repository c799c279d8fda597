from django import forms
from django.utils.translation import gettext_lazy as _

from workstudy.forms import VersionedFormMixin

from .models import NarrativeBlock, PolicyDocument, SummarySettings


class NarrativeForm(VersionedFormMixin, forms.ModelForm):
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


class SummarySettingsForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = SummarySettings
        fields = ["period_start", "subsidy_mode", "base_coverage_threshold"]


class PolicyDocumentForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = PolicyDocument
        fields = ["title", "issuer", "doc_no", "date", "kind", "topic"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}
