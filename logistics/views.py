"""Pages of 后勤社会化.

Bureau pages (the centre, its sales, the exam lodging programme) are for staff and
auditors; principals get 403 there. School services and exam sites are scoped rows:
principals see their own school's, and another school's row is a 404.
Only staff write bureau rows and exam sites; principals write their own SchoolService.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.db.models import Count, ProtectedError, Sum
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic

from workstudy import rules as core_rules
from workstudy import scoping
from workstudy.mixins import (
    READERS_OF_BUREAU_DATA,
    RoleRequiredMixin,
    ScopedCreateView,
    ScopedDeleteView,
    ScopedDetailView,
    ScopedListView,
    ScopedUpdateView,
    YearMixin,
)
from workstudy.models import Role
from workstudy.widgets import SchoolFilterForm

from . import selectors
from .forms import (
    CapitalInvestmentForm,
    CentreYearFiguresForm,
    ExamLodgingProgramForm,
    ExamSiteForm,
    SalesLineForm,
    SchoolServiceForm,
    ServiceCentreForm,
    ShopForm,
)
from .models import (
    CapitalInvestment,
    Category,
    CentreYearFigures,
    CustomerKind,
    ExamLodgingProgram,
    ExamSite,
    SalesLine,
    SchoolService,
    ServiceCentre,
    ServiceKind,
    ServiceMode,
    Shop,
)

STAFF = (Role.STAFF,)
ZERO = Decimal("0.00")


def _year_param(request) -> str:
    raw = request.GET.get("year", "")
    return f"?year={raw}" if raw.isdigit() else ""


class IndexView(RoleRequiredMixin, generic.View):
    """/logistics/: the centre page for bureau users, the school services page for principals."""

    def get(self, request):
        target = "logistics:services" if request.user.is_principal else "logistics:centre"
        return redirect(reverse(target) + _year_param(request))


# ----------------------------------------------------------------------- centre page


class CentreView(RoleRequiredMixin, YearMixin, generic.TemplateView):
    roles = READERS_OF_BUREAU_DATA
    template_name = "logistics/centre.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        year = self.get_year()
        centre_obj = scoping.visible(user, ServiceCentre).order_by("pk").first()
        context["centre_obj"] = centre_obj
        if year is None or centre_obj is None:
            return context
        summary = selectors.centre(year.year)
        for row in summary["sales_by_category"]:
            row["url"] = selectors.rows_url("sales", year.year, category=row["category"])
        for row in summary["sales_by_customer"]:
            row["url"] = selectors.rows_url("sales", year.year, customer_kind=row["customer_kind"])
        # Category x customer table, straight from the scoped rows.
        cells = {
            (r["category"], r["customer_kind"]): r["total"]
            for r in scoping.visible(user, SalesLine).filter(centre=centre_obj, year=year)
            .values("category", "customer_kind").annotate(total=Sum("amount")).order_by()
        }
        matrix = []
        for code, label in Category.choices:
            row_cells = [
                {"amount": cells.get((code, kind), ZERO),
                 "url": selectors.rows_url("sales", year.year, category=code, customer_kind=kind)}
                for kind in CustomerKind.values
            ]
            matrix.append({"label": label, "cells": row_cells, "total": sum((c["amount"] for c in row_cells), ZERO)})
        context.update(
            summary=summary,
            matrix=matrix,
            customer_labels=CustomerKind.labels,
            sales_url=selectors.rows_url("sales", year.year),
            shops=scoping.visible(user, Shop).filter(centre=centre_obj).order_by("name"),
            figures=scoping.visible(user, CentreYearFigures).filter(centre=centre_obj, year=year).first(),
            investments=scoping.visible(user, CapitalInvestment).filter(centre=centre_obj).order_by("year", "pk"),
            write_block_reason=scoping.write_block_reason(user, school=None, year=year),
            can_edit_master=user.is_bureau and scoping.region_block_reason(user) is None,
            findings=[f for f in core_rules.findings(year.year, module="logistics") if f.school_id is None],
        )
        return context


class SalesListView(ScopedListView):
    roles = READERS_OF_BUREAU_DATA
    model = SalesLine
    template_name = "logistics/sales_list.html"
    filters = ("category", "customer_kind", "shop", "centre")

    def base_queryset(self):
        return SalesLine.objects.select_related("centre", "shop")

    def get_queryset(self):
        qs = super().get_queryset()
        get = self.request.GET
        if get.get("category") in Category.values:
            qs = qs.filter(category=get["category"])
        if get.get("customer_kind") in CustomerKind.values:
            qs = qs.filter(customer_kind=get["customer_kind"])
        for key in ("shop", "centre"):
            if (get.get(key) or "").isdigit():
                qs = qs.filter(**{f"{key}_id": int(get[key])})
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["total"] = self.object_list.aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
        context["categories"] = Category.choices
        context["customer_kinds"] = CustomerKind.choices
        context["shops"] = scoping.visible(self.request.user, Shop).order_by("name")
        context["current"] = {key: self.request.GET.get(key, "") for key in self.filters}
        return context


# ------------------------------------------------------------------ exam lodging page


EXAM_SITES_SHOWN = 50


class ExamView(RoleRequiredMixin, YearMixin, generic.TemplateView):
    roles = READERS_OF_BUREAU_DATA
    template_name = "logistics/exam.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        year = self.get_year()
        if year is None:
            return context
        # Each county records its own programme: a county's staff see theirs; a reader of several
        # counties sees the first county's (the summary selector adds them up).
        program = (scoping.visible(user, ExamLodgingProgram).filter(year=year).select_related("operator", "county")
                   .order_by("county__path").first())
        sites, site_totals = [], None
        if program is not None:
            # A province's programme has hundreds of sites: the first ones here, all of them
            # (paged) on the sites list; the totals count every site.
            sites = scoping.visible(user, program.sites.select_related("host_school").order_by("host_school__code"))
            site_totals = sites.aggregate(candidates=Sum("candidates"), beds=Sum("beds"), count=Count("id"))
            sites = sites[:EXAM_SITES_SHOWN]
        context.update(
            program=program,
            summary=selectors.exam_lodging(year.year, counties=[program.county_id]) if program else None,
            sites=sites,
            site_totals=site_totals,
            sites_more=max(0, (site_totals or {}).get("count", 0) - EXAM_SITES_SHOWN),
            write_block_reason=scoping.write_block_reason(user, school=None, year=year),
            findings=[f for f in core_rules.findings(year.year, module="logistics") if f.school_id is None],
            history=selectors.figures_by_year([y.year for y in context["years"]], counties=scoping.county_ids(user)),
        )
        return context


class SiteListView(ScopedListView):
    model = ExamSite
    template_name = "logistics/site_list.html"

    def base_queryset(self):
        return ExamSite.objects.select_related("program", "host_school")

    def get_queryset(self):
        qs = super().get_queryset()
        school = self.request.GET.get("school", "")
        if school.isdigit():
            qs = scoping.filter_school_year(qs, school=int(school))
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["totals"] = self.object_list.aggregate(candidates=Sum("candidates"), beds=Sum("beds"))
        return context


class SiteDetailView(ScopedDetailView):
    model = ExamSite
    template_name = "logistics/site_detail.html"

    def base_queryset(self):
        return ExamSite.objects.select_related("program", "host_school", "program__operator")


# --------------------------------------------------------------- school services


class ServiceListView(ScopedListView):
    model = SchoolService
    template_name = "logistics/service_list.html"

    def base_queryset(self):
        return SchoolService.objects.select_related("school")

    def get_queryset(self):
        qs = super().get_queryset()
        get = self.request.GET
        self.school_filter = SchoolFilterForm(get, user=self.request.user)
        qs = self.school_filter.filter(qs)
        if get.get("kind") in ServiceKind.values:
            qs = qs.filter(kind=get["kind"])
        if get.get("mode") in ServiceMode.values:
            qs = qs.filter(mode=get["mode"])
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        year = self.get_year()
        context["kinds"] = ServiceKind.choices
        context["modes"] = ServiceMode.choices
        context["current"] = {key: self.request.GET.get(key, "") for key in ("school", "kind", "mode")}
        context["school_filter"] = self.school_filter
        context["summary"] = selectors.school_services(year.year) if year and not user.is_principal else []
        if user.is_principal and year is not None:
            context["my_sites"] = scoping.visible(user, ExamSite).filter(program__year=year).select_related("host_school")
        return context


# ------------------------------------------------------------------- form views


class _FormPage:
    template_name = "logistics/form.html"
    title = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        context["cancel_url"] = self.get_success_url_plain()
        return context

    def year_of_object(self):
        obj = getattr(self, "object", None)
        year = scoping.year_of(obj) if obj is not None and obj.pk else None
        if year is not None:
            return year.year
        raw = self.request.GET.get("year") or self.request.POST.get("year")
        return int(raw) if raw and str(raw).isdigit() else None

    def success_name(self):
        return "logistics:centre"

    def get_success_url_plain(self):
        year = self.year_of_object()
        return reverse(self.success_name()) + (f"?year={year}" if year else "")

    def get_success_url(self):
        messages.success(self.request, _("已保存。"))
        return self.get_success_url_plain()


class _CreatePage(_FormPage, ScopedCreateView):
    def get_initial(self):
        initial = super().get_initial()
        year = self.get_year()
        if year is not None:
            initial.setdefault("year", year.pk)
        # The user's own county's centre (a county's programme is run by its centre).
        centre = scoping.visible(self.request.user, ServiceCentre).order_by("pk").first()
        if centre is not None:
            initial.setdefault("centre", centre.pk)
            initial.setdefault("operator", centre.pk)
        return initial


class _DeletePage(ScopedDeleteView):
    success_name = "logistics:centre"

    def form_valid(self, form):
        try:
            self.object.delete()
        except ProtectedError:
            messages.error(self.request, _("“%(obj)s”下还有其他数据（如销售明细），不能删除。") % {"obj": self.object})
        else:
            messages.success(self.request, _("已删除。"))
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self):
        year = scoping.year_of(self.object)
        return reverse(self.success_name) + (f"?year={year.year}" if year else "")


# Centre and shops (bureau master data, no year)

class CentreCreateView(_CreatePage):
    roles = STAFF
    model = ServiceCentre
    form_class = ServiceCentreForm
    title = gettext_lazy("新建后勤服务中心")


class CentreUpdateView(_FormPage, ScopedUpdateView):
    roles = STAFF
    model = ServiceCentre
    form_class = ServiceCentreForm
    title = gettext_lazy("修改后勤服务中心")


class ShopCreateView(_CreatePage):
    roles = STAFF
    model = Shop
    form_class = ShopForm
    title = gettext_lazy("新增店面")


class ShopUpdateView(_FormPage, ScopedUpdateView):
    roles = STAFF
    model = Shop
    form_class = ShopForm
    title = gettext_lazy("修改店面")


class ShopDeleteView(_DeletePage):
    roles = STAFF
    model = Shop


class InvestmentCreateView(_CreatePage):
    roles = STAFF
    model = CapitalInvestment
    form_class = CapitalInvestmentForm
    title = gettext_lazy("新增投资建设")


class InvestmentUpdateView(_FormPage, ScopedUpdateView):
    roles = STAFF
    model = CapitalInvestment
    form_class = CapitalInvestmentForm
    title = gettext_lazy("修改投资建设")


class InvestmentDeleteView(_DeletePage):
    roles = STAFF
    model = CapitalInvestment


# Yearly figures and sales

class FiguresCreateView(_CreatePage):
    roles = STAFF
    model = CentreYearFigures
    form_class = CentreYearFiguresForm
    title = gettext_lazy("填写服务中心年度经营情况")


class FiguresUpdateView(_FormPage, ScopedUpdateView):
    roles = STAFF
    model = CentreYearFigures
    form_class = CentreYearFiguresForm
    title = gettext_lazy("修改服务中心年度经营情况")


class FiguresDeleteView(_DeletePage):
    roles = STAFF
    model = CentreYearFigures


class SalesCreateView(_CreatePage):
    roles = STAFF
    model = SalesLine
    form_class = SalesLineForm
    title = gettext_lazy("新增销售明细")

    def success_name(self):
        return "logistics:sales"


class SalesUpdateView(_FormPage, ScopedUpdateView):
    roles = STAFF
    model = SalesLine
    form_class = SalesLineForm
    title = gettext_lazy("修改销售明细")

    def success_name(self):
        return "logistics:sales"


class SalesDeleteView(_DeletePage):
    roles = STAFF
    model = SalesLine
    success_name = "logistics:sales"


# School services (principals write their own school's rows)

class ServiceCreateView(_CreatePage):
    model = SchoolService
    form_class = SchoolServiceForm
    title = gettext_lazy("新增学校后勤项目")

    def success_name(self):
        return "logistics:services"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.request.user.is_principal:
            kwargs["instance"] = SchoolService(school=self.request.user.school)
        return kwargs


class ServiceUpdateView(_FormPage, ScopedUpdateView):
    model = SchoolService
    form_class = SchoolServiceForm
    title = gettext_lazy("修改学校后勤项目")

    def base_queryset(self):
        return SchoolService.objects.select_related("school", "year")

    def success_name(self):
        return "logistics:services"


class ServiceDeleteView(_DeletePage):
    model = SchoolService
    success_name = "logistics:services"


# Exam lodging programme and its sites (staff)

class ProgramCreateView(_CreatePage):
    roles = STAFF
    model = ExamLodgingProgram
    form_class = ExamLodgingProgramForm
    title = gettext_lazy("新建中考食宿保障")

    def success_name(self):
        return "logistics:exam"


class ProgramUpdateView(_FormPage, ScopedUpdateView):
    roles = STAFF
    model = ExamLodgingProgram
    form_class = ExamLodgingProgramForm
    title = gettext_lazy("修改中考食宿保障")

    def success_name(self):
        return "logistics:exam"


class ProgramDeleteView(_DeletePage):
    roles = STAFF
    model = ExamLodgingProgram
    success_name = "logistics:exam"


class SiteCreateView(_CreatePage):
    roles = STAFF
    model = ExamSite
    form_class = ExamSiteForm
    title = gettext_lazy("新增中考食宿考点")

    def get_program(self):
        if not hasattr(self, "_program"):
            self._program = scoping.get_visible_or_404(
                self.request.user, ExamLodgingProgram.objects.select_related("year"), pk=self.kwargs["program_pk"]
            )
        return self._program

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = ExamSite(program=self.get_program())
        return kwargs

    def year_of_object(self):
        return self.get_program().year_id

    def success_name(self):
        return "logistics:exam"


class SiteUpdateView(_FormPage, ScopedUpdateView):
    roles = STAFF
    model = ExamSite
    form_class = ExamSiteForm
    title = gettext_lazy("修改中考食宿考点")

    def base_queryset(self):
        return ExamSite.objects.select_related("program", "host_school")

    def success_name(self):
        return "logistics:exam"


class SiteDeleteView(_DeletePage):
    roles = STAFF
    model = ExamSite
    success_name = "logistics:exam"
