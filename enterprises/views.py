"""Pages of the school-run enterprises.

Staff enter and change everything; auditors read everything; a principal reads only the
enterprise their school sponsors. Which rows anyone sees is decided by
:mod:`workstudy.scoping`; children (figures, events) are looked up through their
enterprise or through the scoped queryset.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.db.models import Count, DecimalField, IntegerField, OuterRef, ProtectedError, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from workstudy import locks, scoping
from workstudy.mixins import (
    ALL_ROLES,
    ScopedCreateView,
    ScopedDeleteView,
    ScopedDetailView,
    ScopedListView,
    ScopedUpdateView,
)
from workstudy.models import ReportingYear, Role

from .forms import EnterpriseForm, ReformEventForm, YearStatForm
from .models import (
    Enterprise,
    EnterpriseKind,
    EnterpriseStatus,
    EnterpriseYearStat,
    EventKind,
    ReformEvent,
)

STAFF_ONLY = (Role.STAFF,)
ZERO = Decimal("0.00")


def block_reason(user, obj=None) -> str | None:
    """Why ``user`` may not change ``obj`` (or enterprise data at all); None if they may."""
    if user.is_auditor:
        return _("审计账号只能查看，不能修改数据。")
    if not user.is_bureau:
        return _("校办企业的数据由勤工办维护，学校只能查看。")
    if obj is None:
        return scoping.region_block_reason(user)
    return scoping.obj_write_block_reason(user, obj)


def _int_param(request, name):
    try:
        return int(request.GET.get(name, ""))
    except ValueError:
        return None


# Enterprises ----------------------------------------------------------------


class EnterpriseListView(ScopedListView):
    model = Enterprise
    roles = ALL_ROLES
    template_name = "enterprises/enterprise_list.html"
    filter_by_year = False

    def base_queryset(self):
        latest = EnterpriseYearStat.objects.filter(enterprise=OuterRef("pk")).order_by("-year_id")
        qs = Enterprise.objects.select_related("sponsor_school").annotate(
            latest_year=Subquery(latest.values("year_id")[:1], output_field=IntegerField()),
            latest_revenue=Subquery(latest.values("revenue")[:1], output_field=DecimalField()),
            latest_profit=Subquery(latest.values("profit")[:1], output_field=DecimalField()),
            latest_remitted=Subquery(latest.values("remitted_to_education")[:1], output_field=DecimalField()),
            latest_employees=Subquery(latest.values("employees")[:1], output_field=IntegerField()),
        )
        status = self.request.GET.get("status")
        if status in EnterpriseStatus.values:
            qs = qs.filter(status=status)
        kind = self.request.GET.get("kind")
        if kind in EnterpriseKind.values:
            qs = qs.filter(kind=kind)
        active_in = _int_param(self.request, "active_in")
        if active_in:
            qs = qs.active_in(active_in)
        return qs.order_by("name")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            write_block_reason=block_reason(self.request.user),
            statuses=EnterpriseStatus.choices,
            kinds=EnterpriseKind.choices,
            active_in=_int_param(self.request, "active_in"),
        )
        return context


class EnterpriseDetailView(ScopedDetailView):
    model = Enterprise
    roles = ALL_ROLES
    template_name = "enterprises/enterprise_detail.html"

    def base_queryset(self):
        return Enterprise.objects.select_related("sponsor_school")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        enterprise = self.object
        stats = list(enterprise.year_stats.select_related("year").order_by("year_id"))
        previous = None
        for stat in stats:
            stat.year = locks.for_county(stat.year, enterprise.county_id)  # as the enterprise's county has it
            stat.block_reason = block_reason(user, stat)
            stat.change_pct = None
            if previous is not None and previous.year_id == stat.year_id - 1 and previous.revenue:
                stat.change_pct = (stat.revenue - previous.revenue) / previous.revenue * 100
            previous = stat
        events = list(enterprise.events.select_related("year").order_by("date", "id"))
        for event in events:
            event.block_reason = block_reason(user, event)
        context.update(
            stats=stats,
            events=events,
            totals=_totals(enterprise.year_stats.all()),
            write_block_reason=block_reason(user, enterprise),
            can_add=block_reason(user) is None,
            figures_elsewhere=enterprise.kind == EnterpriseKind.SERVICE_CENTRE,
        )
        return context


class EnterpriseCreateView(ScopedCreateView):
    model = Enterprise
    form_class = EnterpriseForm
    roles = STAFF_ONLY
    template_name = "enterprises/form.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("新增校办企业"), back=reverse("enterprises:index"), **kwargs)


class EnterpriseUpdateView(ScopedUpdateView):
    model = Enterprise
    form_class = EnterpriseForm
    roles = STAFF_ONLY
    template_name = "enterprises/form.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("修改校办企业"), back=self.object.get_absolute_url(), **kwargs)


class EnterpriseDeleteView(ScopedDeleteView):
    model = Enterprise
    roles = STAFF_ONLY
    template_name = "enterprises/confirm_delete.html"

    def get_success_url(self):
        return reverse("enterprises:index")

    def form_valid(self, form):
        try:
            self.object.delete()
        except ProtectedError:
            messages.error(
                self.request,
                _("“%(name)s”还有年度数据或大事记，不能删除。如已停办，请把状态改为“停办”并填写停办年份。")
                % {"name": self.object.name},
            )
            return redirect(self.object.get_absolute_url())
        messages.success(self.request, _("已删除。"))
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        return super().get_context_data(back=self.object.get_absolute_url(), **kwargs)


def _excel_links(user) -> dict | None:
    """URLs of the Excel template/import/export of the yearly figures, when the Excel pages exist."""
    try:
        links = {"export": reverse("excel:export", kwargs={"key": "enterprise_figures"})}
        if user.is_bureau:
            links["template"] = reverse("excel:template", kwargs={"key": "enterprise_figures"})
            links["import"] = reverse("excel:import", kwargs={"key": "enterprise_figures"})
    except NoReverseMatch:
        return None
    return links


# Yearly figures ---------------------------------------------------------------


def _totals(qs) -> dict:
    money = DecimalField(max_digits=16, decimal_places=2)
    zero = Value(ZERO, output_field=money)
    return qs.aggregate(
        revenue=Coalesce(Sum("revenue"), zero, output_field=money),
        cost=Coalesce(Sum("cost"), zero, output_field=money),
        profit=Coalesce(Sum("profit"), zero, output_field=money),
        tax=Coalesce(Sum("tax"), zero, output_field=money),
        remitted_to_education=Coalesce(Sum("remitted_to_education"), zero, output_field=money),
        employees=Coalesce(Sum("employees"), 0),
        placements=Coalesce(Sum("work_study_placements"), 0),
        count=Count("id"),
    )


class FigureListView(ScopedListView):
    """All enterprises' figures for the chosen year, with county totals."""

    model = EnterpriseYearStat
    roles = ALL_ROLES
    template_name = "enterprises/figure_list.html"

    def base_queryset(self):
        qs = EnterpriseYearStat.objects.select_related("enterprise", "enterprise__sponsor_school", "year")
        enterprise_id = _int_param(self.request, "enterprise")
        if enterprise_id:
            qs = qs.filter(enterprise_id=enterprise_id)
        return qs.order_by("enterprise__name")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        year = self.get_year()
        rows = list(context["object_list"])
        for row in rows:
            row.block_reason = block_reason(user, row)
        missing = []
        if year is not None and user.is_bureau:
            entered = EnterpriseYearStat.objects.filter(year=year).values("enterprise_id")
            missing = [
                e for e in scoping.visible(user, Enterprise.objects.exclude(pk__in=entered).active_in(year.year))
                .exclude(kind=EnterpriseKind.SERVICE_CENTRE).order_by("name")
            ]
        year_reason = None
        if year is not None:
            year_reason = block_reason(user) or scoping.write_block_reason(user, school=None, year=year)
        context.update(
            rows=rows,
            totals=_totals(self.get_queryset()),
            missing=missing,
            write_block_reason=year_reason,
            enterprise_filter=_int_param(self.request, "enterprise"),
            excel=_excel_links(user),
        )
        return context


class _FigureFormMixin:
    model = EnterpriseYearStat
    form_class = YearStatForm
    roles = STAFF_ONLY
    template_name = "enterprises/form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["enterprise"] = self.enterprise
        return kwargs

    def get_success_url(self):
        messages.success(self.request, _("已保存。"))
        return self.enterprise.get_absolute_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(enterprise=self.enterprise, back=self.enterprise.get_absolute_url(), profit_preview=True)
        return context


class FigureCreateView(_FigureFormMixin, ScopedCreateView):
    @cached_property
    def enterprise(self):
        return scoping.get_visible_or_404(self.request.user, Enterprise, pk=self.kwargs["enterprise_pk"])

    def get_initial(self):
        initial = super().get_initial()
        year = _int_param(self.request, "year")
        chosen = ReportingYear.objects.filter(pk=year).first() if year else None
        chosen = chosen or scoping.default_entry_year()
        if chosen is not None:
            initial["year"] = chosen.pk
        return initial

    def owner(self, form):
        return self.enterprise.sponsor_school, form.instance.year

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("填报年度数据：%(name)s") % {"name": self.enterprise.name}, **kwargs)


class FigureUpdateView(_FigureFormMixin, ScopedUpdateView):
    def base_queryset(self):
        return EnterpriseYearStat.objects.select_related("enterprise", "year")

    @property
    def enterprise(self):
        return self.object.enterprise

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("修改年度数据：%(obj)s") % {"obj": self.object}, **kwargs)


class FigureDeleteView(ScopedDeleteView):
    model = EnterpriseYearStat
    roles = STAFF_ONLY
    template_name = "enterprises/confirm_delete.html"

    def base_queryset(self):
        return EnterpriseYearStat.objects.select_related("enterprise", "year")

    def get_success_url(self):
        return self.object.enterprise.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(back=self.object.enterprise.get_absolute_url(), **kwargs)


# Events -----------------------------------------------------------------------


class EventListView(ScopedListView):
    model = ReformEvent
    roles = ALL_ROLES
    template_name = "enterprises/event_list.html"
    filter_by_year = False

    def base_queryset(self):
        qs = ReformEvent.objects.select_related("enterprise", "year")
        enterprise_id = _int_param(self.request, "enterprise")
        if enterprise_id:
            qs = qs.filter(enterprise_id=enterprise_id)
        kind = self.request.GET.get("kind")
        if kind in EventKind.values:
            qs = qs.filter(kind=kind)
        in_year = _int_param(self.request, "in_year")
        if in_year:
            qs = qs.filter(date__year=in_year)
        return qs.order_by("date", "id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(write_block_reason=block_reason(self.request.user), kinds=EventKind.choices)
        return context


class _EventFormMixin:
    model = ReformEvent
    form_class = ReformEventForm
    roles = STAFF_ONLY
    template_name = "enterprises/form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["enterprise"] = self.enterprise
        return kwargs

    def get_success_url(self):
        messages.success(self.request, _("已保存。"))
        return self.enterprise.get_absolute_url() + "#events"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(enterprise=self.enterprise, back=self.enterprise.get_absolute_url())
        return context


class EventCreateView(_EventFormMixin, ScopedCreateView):
    @cached_property
    def enterprise(self):
        return scoping.get_visible_or_404(self.request.user, Enterprise, pk=self.kwargs["enterprise_pk"])

    def owner(self, form):
        form.instance._sync()
        return self.enterprise.sponsor_school, form.instance.year

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("新增大事记：%(name)s") % {"name": self.enterprise.name}, **kwargs)


class EventUpdateView(_EventFormMixin, ScopedUpdateView):
    def base_queryset(self):
        return ReformEvent.objects.select_related("enterprise", "year")

    @property
    def enterprise(self):
        return self.object.enterprise

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("修改大事记：%(obj)s") % {"obj": self.object}, **kwargs)


class EventDeleteView(ScopedDeleteView):
    model = ReformEvent
    roles = STAFF_ONLY
    template_name = "enterprises/confirm_delete.html"

    def base_queryset(self):
        return ReformEvent.objects.select_related("enterprise", "year")

    def get_success_url(self):
        return self.object.enterprise.get_absolute_url() + "#events"

    def get_context_data(self, **kwargs):
        return super().get_context_data(back=self.object.enterprise.get_absolute_url(), **kwargs)


