from django import forms
from django.utils.translation import gettext_lazy as _

from labor_bases.models import LaborBase
from workstudy import scoping
from workstudy.forms import VersionedFormMixin
from workstudy.models import School
from workstudy.widgets import chosen_pk, use_school_picker

from .models import LaborEducation


def _num(unit, step="0.5"):
    return forms.NumberInput(attrs={"unit": unit, "step": step, "min": "0"})


class LaborEducationForm(VersionedFormMixin, forms.ModelForm):
    """Staff choose the school; a principal's record is their own school's. A saved record's
    school and year do not move. The bases offered are the record's school's."""

    accepts_kwargs = ("user",)

    class Meta:
        model = LaborEducation
        fields = [
            "school", "year", "class_periods_per_week", "out_of_class_hours_per_week", "labor_week_held",
            "labor_week_days", "students_taking_part", "bases_used", "note",
        ]
        widgets = {
            "class_periods_per_week": _num(_("课时/周")),
            "out_of_class_hours_per_week": _num(_("小时/周")),
            "labor_week_days": _num(_("天"), "1"),
            "students_taking_part": _num(_("人"), "1"),
            "bases_used": forms.CheckboxSelectMultiple,
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["school"], self.fields["year"]
        elif user is not None and user.is_principal:
            del self.fields["school"]
        else:
            use_school_picker(
                self, "school", scoping.schools_for(user) if user else School.objects.none(), active_only=True)
        bases = self.fields["bases_used"]
        # Any base the user may see is accepted here; the model refuses another school's (LE-04).
        bases.queryset = scoping.visible(user, LaborBase).select_related("school") if user else LaborBase.objects.none()
        school_id = self.instance.school_id if self.instance.school_id else (
            chosen_pk(self["school"]) if "school" in self.fields else None)
        offered = LaborBase.objects.filter(school_id=school_id, active=True) if school_id else LaborBase.objects.none()
        if self.instance.pk:  # a base taken out of use since stays listed while it is ticked
            offered = offered | self.instance.bases_used.all()
        bases.widget.choices = [(base.pk, base.name) for base in offered.distinct().order_by("name")]
        if not school_id:
            bases.help_text = _("选择学校并保存后，可在修改页勾选本校使用的劳动实践基地。")

    def clean(self):
        cleaned = super().clean()
        if "bases_used" in cleaned:
            self.instance.chosen_bases = list(cleaned["bases_used"])
        return cleaned
