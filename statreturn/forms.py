from django import forms
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise, EnterpriseYearStat
from workstudy import scoping
from workstudy.forms import VersionedFormMixin

from .models import EnterpriseReturn

YUAN = {"unit": _("元"), "step": "0.01", "min": "0", "inputmode": "decimal"}


class EnterpriseReturnForm(VersionedFormMixin, forms.ModelForm):
    """One enterprise's return figures for a year (bureau staff). A saved row keeps its
    enterprise and year. The equity is left empty on the page: it is worked out from the
    assets and liabilities (a figure typed in is checked against them)."""

    accepts_kwargs = ("user",)

    class Meta:
        model = EnterpriseReturn
        fields = list(EnterpriseReturn.ENTRY_FIELDS)
        widgets = {
            **{
                name: forms.NumberInput(attrs=YUAN)
                for name in (
                    "output_value",
                    "assets",
                    "liabilities",
                    "tax_relief",
                    "use_base_building",
                    "use_school_conditions",
                    "use_collective_welfare",
                    "use_personal_welfare",
                    "use_other",
                    "year_end_balance",
                )
            },
            "equity": forms.NumberInput(attrs={**YUAN, "min": None}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["enterprise"], self.fields["year"]
            self.initial["equity"] = None
        else:
            # Enterprises with yearly figures that the user may see (the page is staff's).
            with_figures = EnterpriseYearStat.objects.values("enterprise_id")
            visible = scoping.visible(user, Enterprise) if user is not None else Enterprise.objects.none()
            self.fields["enterprise"].queryset = visible.filter(pk__in=with_figures).order_by("name")
