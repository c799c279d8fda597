import datetime
import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from . import limits
from .models import School, Submission


class PortalFormMixin:
    """Every form of the portal speaks with one voice.

    * Each field's refusals are the portal's own words (:func:`workstudy.limits.field_messages`):
      the field's name and, for a number, the range its model field declares (or
      ``field_limits[name]`` for a field of the form alone), never Django's generic text.
    * Errors the model's ``clean()`` puts on a field the form does not show (e.g. a fixed
      school or year) are shown at the top of the form (``error_field_map`` may move them to a
      field that is shown) rather than failing.
    """

    field_limits: dict = {}
    error_field_map: dict[str, str] = {}

    def full_clean(self):
        # Worded here, not in __init__: subclasses replace fields after it (school pickers).
        model = getattr(getattr(self, "_meta", None), "model", None)
        for name, field in self.fields.items():
            limit = self.field_limits.get(name) or limits.limit_of(limits.model_field(model, name))
            field.error_messages.update(
                limits.field_messages(field.label or name, limit, kind=limits.number_kind(field)))
        super().full_clean()

    def _update_errors(self, errors):
        if hasattr(errors, "error_dict"):
            remapped: dict = {}
            for field, messages in errors.error_dict.items():
                target = self.error_field_map.get(field, field)
                if target != NON_FIELD_ERRORS and target not in self.fields:
                    target = NON_FIELD_ERRORS
                shown = {str(m) for m in self._errors.get(target, [])} if self._errors else set()
                for message in messages:
                    text = " ".join(message.messages) if isinstance(message, ValidationError) else str(message)
                    if text not in shown:  # the form and the model may refuse a value for one reason
                        shown.add(text)
                        remapped.setdefault(target, []).append(message)
            if not remapped:
                return
            errors = ValidationError(remapped)
        super()._update_errors(errors)


class VersionedFormMixin(PortalFormMixin):
    """Carries the row's version through the form so a stale save is refused.

    Use on ModelForms of :class:`~workstudy.models.DomainModel` subclasses; the view
    turns the resulting :class:`~workstudy.models.ConcurrentEditError` into a message.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["row_version"] = forms.IntegerField(
            widget=forms.HiddenInput, required=False,
            error_messages={"invalid": _("这个页面已经过期，请刷新后重新填写。")},
        )
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


class ReturnForm(PortalFormMixin, forms.Form):
    reason = forms.CharField(label=_("退回原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ReopenForm(PortalFormMixin, forms.Form):
    reason = forms.CharField(label=_("重新开放原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class NewYearForm(PortalFormMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)


class SchoolForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = School
        fields = [
            "code", "name", "township", "kind", "area_class", "is_boarding", "has_dormitory",
            "has_canteen", "active",
        ]


class PrincipalCreateForm(PortalFormMixin, forms.ModelForm):
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


class PortalAdminForm(PortalFormMixin, forms.ModelForm):
    """The admin's forms, worded like the portal's."""


DATE_TYPED = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


class DeadlineForm(PortalFormMixin, forms.Form):
    """A year's 填报截止日期. Typed as text and read here, so that a wrong date gets the portal's
    own words (the rule that it is not before the year's first day is the service's)."""

    deadline = forms.CharField(
        label=_("填报截止日期"), required=False, max_length=20,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("留空则不设截止日期。"),
    )

    def clean_deadline(self):
        value = (self.cleaned_data.get("deadline") or "").strip()
        if not value:
            return None
        match = DATE_TYPED.match(value)
        try:
            if match is None:
                raise ValueError
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            raise forms.ValidationError(
                _("“%(value)s”不是有效的日期，请按“年-月-日”填写，例如 2025-03-31。") % {"value": value}
            ) from None


class ReminderForm(PortalFormMixin, forms.Form):
    message = forms.CharField(label=_("催报内容"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
