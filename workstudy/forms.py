from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .models import School, Submission


class VersionedFormMixin:
    """Carries the row's version through the form so a stale save is refused.

    Use on ModelForms of :class:`~workstudy.models.DomainModel` subclasses; the view
    turns the resulting :class:`~workstudy.models.ConcurrentEditError` into a message.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["row_version"] = forms.IntegerField(widget=forms.HiddenInput, required=False)
        if self.instance is not None and self.instance.pk:
            self.fields["row_version"].initial = self.instance.version

    def _post_clean(self):
        super()._post_clean()
        submitted = self.cleaned_data.get("row_version") if hasattr(self, "cleaned_data") else None
        if self.instance.pk and submitted:
            self.instance.version = submitted


class SubmissionCountsForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Submission
        fields = ["staff_count", "student_count", "boarding_count", "poor_student_count", "explanation"]
        widgets = {"explanation": forms.Textarea(attrs={"rows": 3})}
        labels = {
            "staff_count": _("教职工人数（人）"),
            "student_count": _("学生人数（人）"),
            "boarding_count": _("寄宿生人数（人）"),
            "poor_student_count": _("贫困家庭学生人数（人）"),
        }


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("重新开放原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class NewYearForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)


class SchoolForm(forms.ModelForm):
    class Meta:
        model = School
        fields = [
            "code", "name", "township", "kind", "area_class", "is_boarding", "has_dormitory",
            "has_canteen", "active",
        ]


class PrincipalCreateForm(forms.ModelForm):
    # Length and strength are checked by AUTH_PASSWORD_VALIDATORS (their messages are clearer).
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput)

    class Meta:
        model = get_user_model()
        fields = ["username", "first_name", "school"]
        labels = {"first_name": _("姓名")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The model's clean() checks a principal's rules (must have a school), so the
        # instance is a principal before validation, not only when saved.
        self.instance.role = "principal"
        self.instance.is_staff = False
        self.fields["school"].required = True

    def clean(self):
        from django.contrib.auth.password_validation import validate_password

        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            # Validate against the new user's own name too (UserAttributeSimilarityValidator).
            candidate = get_user_model()(
                username=cleaned.get("username") or "", first_name=cleaned.get("first_name") or ""
            )
            try:
                validate_password(password, user=candidate)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned

    def save(self, commit=True):
        user = super().save(commit=False)
        user.role = "principal"
        user.set_password(self.cleaned_data["password"])
        if commit:
            user.save()
        return user
