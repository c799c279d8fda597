"""Labor bases and plots in pickers (:mod:`workstudy.widgets`): at province size the
bureau sees 15,000 bases and tens of thousands of plots a year, too many for a drop-down.
Registered in ``LaborBasesConfig.ready()``; suggestions at ``/pick/labor_base/`` and
``/pick/parcel/``, scoped by :mod:`workstudy.scoping` like every list."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from workstudy import scoping
from workstudy.widgets import PickerKind, clean_query

from .models import LaborBase, LandParcel

SEPARATOR = " · "


def base_label(base: LaborBase) -> str:
    """A base as the bureau sees it: its school, then its name."""
    return f"{base.school.name}{SEPARATOR}{base.name}"


def parcel_label(parcel: LandParcel) -> str:
    return f"{parcel.base.name}{SEPARATOR}{parcel.land_type_label} {parcel.area_mu} {_('亩')}"


class BaseKind(PickerKind):
    key = "labor_base"
    placeholder = _("输入学校或基地名称")
    hint = _("输入学校或基地名称中的几个字，再从提示中选择“学校 · 基地”。")
    input_size = 44
    messages = {
        "invalid_choice": _("请选择有效的基地。"),
        "not_found": _("未找到基地“%(value)s”，请输入学校名或基地名，并从提示中选择。"),
        "ambiguous": _("“%(value)s”对应多个基地，请写出“学校 · 基地”，或从提示中选择。"),
    }

    def label(self, obj) -> str:
        return base_label(obj)

    def find_exact(self, queryset, text: str) -> list:
        school, sep, name = text.partition(SEPARATOR.strip())
        exact = Q(name=text)
        if sep:
            exact |= Q(school__name=school.strip(), name=name.strip())
        return list(queryset.filter(exact).select_related("school")[:2])

    def search(self, queryset, text: str, *, limit: int) -> list:
        text = clean_query(text)
        qs = queryset.select_related("school").order_by("school__code", "name", "pk")
        if text:
            school, sep, name = text.partition(SEPARATOR.strip())
            if sep:
                match = Q(school__name__icontains=school.strip(), name__icontains=name.strip())
            else:
                match = Q(name__icontains=text) | Q(school__name__icontains=text) | Q(school__code__istartswith=text)
            qs = qs.filter(match)
        return list(qs[:limit])

    def for_user(self, user, params):
        bases = scoping.visible(user, LaborBase.objects.all())
        return bases.filter(active=True) if params.get("active") == "1" else bases


class ParcelKind(PickerKind):
    key = "parcel"
    placeholder = _("输入基地名称或品种")
    hint = _("输入基地名称或品种中的几个字，再从提示中选择地块。")
    input_size = 44
    messages = {
        "invalid_choice": _("请选择有效的地块。"),
        "not_found": _("未找到地块“%(value)s”，请输入基地名称或品种，并从提示中选择。"),
        "ambiguous": _("“%(value)s”对应多个地块，请从提示中选择。"),
    }

    def label(self, obj) -> str:
        return parcel_label(obj)

    def find_exact(self, queryset, text: str) -> list:
        base_name, sep, _rest = text.partition(SEPARATOR.strip())
        if not sep:
            return []
        candidates = queryset.filter(base__name=base_name.strip()).select_related("base")[:200]
        return [parcel for parcel in candidates if " ".join(parcel_label(parcel).split()) == text][:2]

    def search(self, queryset, text: str, *, limit: int) -> list:
        text = clean_query(text)
        qs = queryset.select_related("base").order_by("base__school__code", "base__name", "pk")
        if text:
            base_name, sep, rest = text.partition(SEPARATOR.strip())
            if sep:
                match = Q(base__name__icontains=base_name.strip())
            else:
                match = (Q(base__name__icontains=text) | Q(crop__icontains=text)
                         | Q(base__school__name__icontains=text) | Q(base__school__code__istartswith=text))
            qs = qs.filter(match)
        return list(qs[:limit])

    def for_user(self, user, params):
        parcels = scoping.visible(user, LandParcel.objects.all())
        year = params.get("year", "")
        return parcels.filter(year_id=int(year)) if year.isdigit() else parcels.none()


BASES = BaseKind()
PARCELS = ParcelKind()
