"""Pages of the official return: the return of a year (HTML, every figure linking to the rows
behind it; .xlsx download), one figure's rows, and the entry of the enterprises' return
figures (bureau staff write; auditors and the sponsoring school's principal read).

The return covers the schools the user may see (:func:`workstudy.scoping.visible`): the whole
deployment for staff and auditors (with the bureau's own enterprises), a principal's own
school (and the enterprises it sponsors) for a principal."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from enterprises.models import Enterprise
from workstudy import scoping
from workstudy.mixins import (
    ALL_ROLES,
    RoleRequiredMixin,
    ScopedCreateView,
    ScopedDeleteView,
    ScopedListView,
    ScopedUpdateView,
)
from workstudy.models import ReportingYear, Role, School
from workstudy.xlsx_writer import CONTENT_TYPE

from . import builder, xlsx
from .forms import EnterpriseReturnForm
from .models import EnterpriseReturn

STAFF_ONLY = (Role.STAFF,)


def return_for(user, year) -> builder.StatReturn:
    """The return ``user`` may read for ``year``: over the schools they may see; the bureau's
    own enterprises only for bureau staff and auditors."""
    schools = scoping.visible(user, School.objects.all())
    bureau = bool(user.is_bureau or user.is_auditor)
    if user.is_principal:
        scope = _("本校（%(school)s）") % {"school": user.school.name}
    else:
        scope = _("全部学校（%(count)s 所）及勤工办主办企业") % {"count": schools.count()}
    enterprises = scoping.visible(user, Enterprise.objects.all())
    return builder.build(year, schools, bureau=bureau, enterprises=enterprises, scope=scope)


class IndexView(RoleRequiredMixin, View):
    roles = ALL_ROLES

    def get(self, request):
        year = scoping.current_year()
        if year is None:
            raise Http404(_("还没有统计年度。"))
        return redirect("statreturn:return", year=year.year)


class _YearView(RoleRequiredMixin, View):
    roles = ALL_ROLES

    def year(self) -> ReportingYear:
        return get_object_or_404(ReportingYear, pk=self.kwargs["year"])


class ReturnView(_YearView):
    def get(self, request, year):
        year = self.year()
        result = return_for(request.user, year)
        return render(
            request,
            "statreturn/return.html",
            {
                "year": year,
                "years": ReportingYear.objects.order_by("-year"),
                "result": result,
                "can_enter": request.user.is_bureau,
            },
        )


class ReturnXlsxView(_YearView):
    def get(self, request, year):
        year = self.year()
        with translation.override("zh-hans"):
            result = return_for(request.user, year)
            data = xlsx.workbook(result, link=request.build_absolute_uri)
        response = HttpResponse(data, content_type=CONTENT_TYPE)
        filename = f"statreturn-{year.year}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class SourcesView(_YearView):
    def get(self, request, year, code):
        year = self.year()
        result = return_for(request.user, year)
        line = result.line(code)
        if line is None:
            raise Http404(_("没有这个指标。"))
        return render(request, "statreturn/sources.html", {"year": year, "result": result, "line": line})


# The enterprises' return figures -------------------------------------------------


def _figures_url(year_id, enterprise_id=None) -> str:
    url = reverse("statreturn:figures") + f"?year={year_id}"
    return url + (f"&enterprise={enterprise_id}" if enterprise_id else "")


class FigureListView(ScopedListView):
    model = EnterpriseReturn
    roles = ALL_ROLES
    template_name = "statreturn/figure_list.html"

    def base_queryset(self):
        qs = EnterpriseReturn.objects.select_related("enterprise", "enterprise__sponsor_school", "year")
        raw = self.request.GET.get("enterprise", "")
        if raw.isdigit():
            qs = qs.filter(enterprise_id=int(raw))
        return qs.order_by("enterprise__name")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, year = self.request.user, self.get_year()
        rows = list(context["object_list"])
        for row in rows:
            row.can_edit = bool(user.is_bureau and scoping.row_write_block_reason(user, row) is None)
        context["rows"] = rows
        context["can_write"] = bool(
            user.is_bureau
            and year is not None
            and scoping.write_block_reason(user, school=None, year=year, model=EnterpriseReturn) is None
        )
        if year is not None and user.is_bureau:
            entered = EnterpriseReturn.objects.filter(year=year).values("enterprise_id")
            context["missing"] = list(
                scoping.visible(user, Enterprise).filter(year_stats__year=year).exclude(pk__in=entered).order_by("name")
            )
        return context


class _FormPage:
    model = EnterpriseReturn
    form_class = EnterpriseReturnForm
    roles = STAFF_ONLY
    template_name = "statreturn/form.html"
    title = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        obj = getattr(self, "object", None)
        year = obj.year_id if obj is not None and obj.year_id else self.request.GET.get("year", "")
        context["cancel_url"] = _figures_url(year) if year else reverse("statreturn:figures")
        return context

    def get_success_url(self):
        messages.success(self.request, _("已保存。"))
        return _figures_url(self.object.year_id)


class FigureCreateView(_FormPage, ScopedCreateView):
    title = gettext_lazy("填写企业统计报表数据")

    def get_initial(self):
        initial = super().get_initial()
        year = self.request.GET.get("year", "")
        chosen = ReportingYear.objects.filter(pk=int(year)).first() if year.isdigit() else None
        chosen = chosen or scoping.default_entry_year()
        if chosen is not None:
            initial["year"] = chosen.pk
        enterprise = self.request.GET.get("enterprise", "")
        if enterprise.isdigit():
            initial["enterprise"] = int(enterprise)
        return initial


class FigureUpdateView(_FormPage, ScopedUpdateView):
    title = gettext_lazy("修改企业统计报表数据")

    def base_queryset(self):
        return EnterpriseReturn.objects.select_related("enterprise", "year")


class FigureDeleteView(ScopedDeleteView):
    model = EnterpriseReturn
    roles = STAFF_ONLY

    def get_success_url(self):
        return _figures_url(self.object.year_id)


__all__ = [
    "IndexView",
    "ReturnView",
    "ReturnXlsxView",
    "SourcesView",
    "FigureListView",
    "FigureCreateView",
    "FigureUpdateView",
    "FigureDeleteView",
]
