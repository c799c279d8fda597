"""Pages of the labor-practice bases: the year's overview, lists behind figures and entry forms.

Which rows a user sees or may change is decided by :mod:`workstudy.scoping` only.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import generic

from workstudy import locks, names, scoping
from workstudy import rules as core_rules
from workstudy.mixins import (
    RoleRequiredMixin,
    ScopedCreateView,
    ScopedDeleteView,
    ScopedListView,
    ScopedUpdateView,
    YearMixin,
)
from workstudy.models import ReportingYear, Role, School
from workstudy.widgets import SchoolFilterForm, chosen_pk

from . import rules, selectors, services
from .deletion import delete_block_reason
from .forms import (
    BaseYearFinanceForm,
    LaborBaseForm,
    LandParcelForm,
    ProductionLineForm,
    StudentPracticeActivityForm,
)
from .models import ZERO, BaseYearFinance, LaborBase, LandParcel, LandType, ProductionLine, StudentPracticeActivity, declared_area


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def index_url(year, school_id=None) -> str:
    url = reverse("labor_bases:index") + f"?year={getattr(year, 'pk', year)}"
    return url + (f"&school={school_id}" if school_id else "")


class IndexView(RoleRequiredMixin, YearMixin, generic.TemplateView):
    """Principal (or staff with ?school=): one school's sheet. Staff/auditor: the county grid."""

    template_name = "labor_bases/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        year = self.get_year()
        if year is None:
            return context
        school_param = self.request.GET.get("school", "").strip()
        if user.is_principal:
            school_id = _int_or_none(school_param) if school_param else user.school_id
            school = scoping.get_visible_or_404(user, School, pk=school_id)
            context.update(self.school_context(school, year))
            return context
        # Staff and auditors choose a school by id (links) or by typing its code or name.
        school_filter = SchoolFilterForm(self.request.GET, user=user)
        if school_filter.school is not None:
            context.update(self.school_context(school_filter.school, year))
        else:
            context.update(self.county_context(year), school_filter=school_filter)
        return context

    def school_context(self, school, year):
        user = self.request.user
        sheet = selectors.kept_school_sheet(year.year, school.pk)
        names.as_locked([school], year)
        reason = scoping.write_block_reason(user, school=school, year=year)
        return {
            "mode": "school",
            "school": school,
            "sheet": sheet,
            "write_block_reason": reason,
            "can_write": reason is None,
            "can_edit_bases": scoping.write_block_reason(user, school=school, year=None) is None,
            "copy_url": copy_offer(user, school, year) if not (sheet["plots"] or sheet["lines"]) else None,
            "years_url": reverse("labor_bases:years") + ("" if user.is_principal else f"?school={school.pk}"),
            "findings": [f for f in rules_findings(year.year, school.pk)],
            "query": f"year={year.year}" + (f"&school={school.pk}" if not user.is_principal else ""),
        }

    def county_context(self, year):
        land_type = self.request.GET.get("land_type", "")
        if land_type not in LandType.values:
            land_type = ""
        sort = self.request.GET.get("sort", "code")
        if sort not in selectors.TABLE_SORTS:
            sort = "code"
        # The table's order is one grouped query (kept until data changes); only the page's
        # schools are read (a province has 15,000).
        ids = selectors.table_school_ids(year.year, land_type or None, sort)
        page = Paginator(ids, TABLE_PAGE_SIZE).get_page(self.request.GET.get("page"))
        schools = School.objects.only("pk", "code", "name").in_bulk(list(page))
        names.as_locked(schools.values(), year)
        figures = selectors.school_table(year.year, list(page))
        types = LandType.values
        rows = []
        for sid in page:
            row = figures[sid]
            rows.append({
                "school": schools[sid],
                "cells": [row["land"].get(t) for t in types],
                "total": row["total_mu"],
                "finance": row["finance"],
                "url": index_url(year, sid),
            })
        county = selectors.county_figures(year.year)
        land = [dict(item, url=selectors.rows_url("plots", year.year, land_type=item["land_type"]))
                for item in county["land"]]
        # The warnings of the schools the user reads only: they name a school by its name, and
        # another county may have a school of the same name.
        readable = set(scoping.schools_for(self.request.user).values_list("pk", flat=True))
        found = [f for f in rules_findings(year.year, None) if f.school_id in readable]
        return {
            "mode": "county",
            "land": land,
            "land_total": sum((item["area_mu"] for item in land), ZERO),
            "overview": county["overview"],
            "finance": county["finance"],
            "rows": rows,
            "page_obj": page,
            "land_type": land_type,
            "land_types": LandType.choices,
            "sort": sort,
            "sorts": [(key, label) for key, (label, _field) in selectors.TABLE_SORTS.items()],
            # A province has thousands of warnings: the count per rule, and the first few in full.
            "findings": found[:FINDINGS_SHOWN],
            "findings_total": len(found),
            "findings_by_rule": [(rule, n) for rule, n, _schools in core_rules.count_by_rule(found)],
            "write_block_reason": scoping.write_block_reason(self.request.user, school=None, year=year),
        }


TABLE_PAGE_SIZE = 50
FINDINGS_SHOWN = 50


def rules_findings(year: int, school_id: int | None):
    """This app's warnings only (the review screen shows every app's)."""
    return core_rules.findings(year, school_id, module=rules.M)


# Lists behind figures (rows_url) ------------------------------------------------


class _FilteredList(ScopedListView):
    template_name = "labor_bases/list.html"
    kind = ""
    title = ""
    school_path = "base__school_id"

    def get_queryset(self):
        qs = super().get_queryset()
        school = _int_or_none(self.request.GET.get("school"))
        if school is not None:
            qs = qs.filter(**{self.school_path: school})
        return qs

    # The list's totals over every matching row, {context name: aggregate}: read in the same
    # query as the paginator's row count (a province year has 50,000 production lines).
    total_fields: dict = {}

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        figures = queryset.order_by().aggregate(_rows=Count("pk"), **self.total_fields)
        paginator = super().get_paginator(queryset, per_page, orphans, allow_empty_first_page, **kwargs)
        paginator.count = figures.pop("_rows")
        self.figures = figures
        return paginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(kind=self.kind, title=self.title, land_types=LandType.choices)
        context["filters"] = {k: v for k, v in self.request.GET.items() if k not in ("page",)}
        context["filter_labels"] = self.filter_labels(context["filters"])
        return context

    def filter_labels(self, filters: dict) -> list[tuple[str, str]]:
        """The list's filters as a reader names them: [(学校, 樟坪中心学校), (土地类型, 茶园), ...]."""
        user = self.request.user
        labels = []
        school = _int_or_none(filters.get("school"))
        if school is not None and not user.is_principal:
            name = scoping.schools_for(user).filter(pk=school).values_list("name", flat=True).first()
            labels.append((_("学校"), name or _("（无此学校）")))
        base = _int_or_none(filters.get("base"))
        if base is not None:
            name = scoping.visible(user, LaborBase).filter(pk=base).values_list("name", flat=True).first()
            labels.append((_("基地"), name or _("（无此基地）")))
        if filters.get("land_type") in LandType.values:
            labels.append((_("土地类型"), LandType(filters["land_type"]).label))
        if filters.get("product", "").strip():
            labels.append((_("产品名称包含"), filters["product"].strip()))
        return labels


class BaseListView(_FilteredList):
    model = LaborBase
    kind = "bases"
    title = _("劳动实践基地")
    school_path = "school_id"
    filter_by_year = False

    def base_queryset(self):
        year = self.get_year()
        return selectors.with_declared_area(LaborBase.objects.select_related("school"), year.pk if year else 0)


class PlotListView(_FilteredList):
    model = LandParcel
    kind = "plots"
    title = _("基地地块")

    def base_queryset(self):
        return LandParcel.objects.select_related("base__school")

    def get_queryset(self):
        qs = super().get_queryset()
        if self.request.GET.get("land_type") in LandType.values:
            qs = qs.filter(land_type=self.request.GET["land_type"])
        base = _int_or_none(self.request.GET.get("base"))
        if base is not None:
            qs = qs.filter(base_id=base)
        return qs

    total_fields = {"total_area": Sum("area_mu")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["total_area"] = self.figures["total_area"] or ZERO
        return context


class LineListView(_FilteredList):
    model = ProductionLine
    kind = "lines"
    title = _("产品产销")

    def base_queryset(self):
        return ProductionLine.objects.select_related("base__school")

    def get_queryset(self):
        qs = super().get_queryset()
        base = _int_or_none(self.request.GET.get("base"))
        if base is not None:
            qs = qs.filter(base_id=base)
        if self.request.GET.get("product"):
            qs = qs.filter(product__contains=self.request.GET["product"].strip())
        if self.request.GET.get("land_type") in LandType.values:
            qs = qs.filter(parcel__land_type=self.request.GET["land_type"])
        return qs

    total_fields = {"total_value": Sum("value")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["total_value"] = self.figures["total_value"] or ZERO
        return context


class FinanceListView(_FilteredList):
    model = BaseYearFinance
    kind = "finance"
    title = _("基地年度收支")

    def base_queryset(self):
        return BaseYearFinance.objects.select_related("base__school")

    total_fields = {"revenue": Sum("revenue"), "cost": Sum("cost"), "profit": Sum("profit"),
                    "remitted": Sum("remitted_to_school")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["totals"] = self.figures
        return context


class ActivityListView(_FilteredList):
    model = StudentPracticeActivity
    kind = "activities"
    title = _("学生劳动实践活动")
    school_path = "school_id"

    def base_queryset(self):
        return StudentPracticeActivity.objects.select_related("school", "base")

    total_fields = {"participants": Sum("participants"), "days": Sum("days")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["totals"] = self.figures
        return context


# Entry forms -------------------------------------------------------------------------


class _FormPageMixin:
    template_name = "labor_bases/form.html"
    title = ""
    year_bound = True

    def row_year(self):
        obj = getattr(self, "object", None)
        if obj is not None and obj.pk and self.year_bound:
            return obj.year
        return self.get_year() if hasattr(self, "get_year") else None

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        kwargs["year"] = self.row_year()
        return kwargs

    def row_school_id(self):
        obj = getattr(self, "object", None)
        if obj is not None and obj.pk:
            school = scoping.school_of(obj)
            return school.pk if school else None
        return self.request.user.school_id if self.request.user.is_principal else None

    def get_success_url(self):
        messages.success(self.request, _("已保存。"))
        year = self.object.year_id if self.year_bound else (self.get_year().pk if self.get_year() else "")
        school = scoping.school_of(self.object)
        return index_url(year, None if self.request.user.is_principal else school.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.row_year()
        context["title"] = self.title
        context["row_year"] = year
        context["back_url"] = index_url(year.pk if year else "", None if self.request.user.is_principal else self.row_school_id())
        obj = getattr(self, "object", None)
        if obj is not None and obj.pk:  # the row's own check, answered already by get_object's
            context["write_block_reason"] = scoping.obj_write_block_reason(
                self.request.user, obj, getattr(self, "_write_checks", None)
            )
        else:  # staff creating a row have not chosen the school yet: the year alone decides (locked or not)
            context["write_block_reason"] = scoping.write_block_reason(
                self.request.user, school=self.row_school_id(), year=year if self.year_bound else None
            )
        context.update(self.extra_context_data(context.get("form")))
        return context

    def extra_context_data(self, form) -> dict:
        return {}

    def get_year(self):
        return YearMixin.get_year(self)


class _Create(_FormPageMixin, ScopedCreateView):
    def get_year(self):
        year = super().get_year()
        if year is None:
            raise Http404
        return year

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        instance = self.model()
        if self.year_bound:
            instance.year = self.get_year()
        kwargs["instance"] = instance
        initial = kwargs.setdefault("initial", {})
        base = _int_or_none(self.request.GET.get("base"))
        if base is not None:
            initial.setdefault("base", base)
        school = _int_or_none(self.request.GET.get("school"))
        if school is not None:
            initial.setdefault("school", school)
        return kwargs


class _Update(_FormPageMixin, YearMixin, ScopedUpdateView):
    pass


class _Delete(YearMixin, ScopedDeleteView):
    year_bound = True

    def get_success_url(self):
        year = self.object.year_id if self.year_bound else (self.get_year().pk if self.get_year() else "")
        school = scoping.school_of(self.object)
        return index_url(year, None if self.request.user.is_principal else school.pk)


class BaseCreateView(_Create):
    model = LaborBase
    form_class = LaborBaseForm
    title = _("新增劳动实践基地")
    year_bound = False


class BaseUpdateView(_Update):
    model = LaborBase
    form_class = LaborBaseForm
    title = _("修改劳动实践基地")
    year_bound = False


class BaseDeleteView(_Delete):
    model = LaborBase
    year_bound = False

    def form_valid(self, form):
        reason = delete_block_reason(self.object)
        if reason:
            messages.error(self.request, reason)
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


def _other_plots_area(base_id, year_id, exclude_pk=None) -> Decimal:
    qs = LandParcel.objects.filter(base_id=base_id, year_id=year_id)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.aggregate(t=Sum("area_mu"))["t"] or ZERO


class _PlotAreaContext:
    def extra_context_data(self, form):
        base_id = (
            getattr(self.object, "base_id", None)
            if getattr(self, "object", None) is not None and self.object.pk
            else chosen_pk(form["base"])
        )
        if base_id is None:
            return {}
        base = scoping.visible(self.request.user, LaborBase).filter(pk=base_id).first()
        if base is None:
            return {}
        year = self.row_year()
        return {
            "area_base": base,
            "area_declared": declared_area(base.pk, year.pk),
            "other_area": _other_plots_area(base.pk, year.pk, getattr(self.object, "pk", None)),
        }


class PlotCreateView(_PlotAreaContext, _Create):
    model = LandParcel
    form_class = LandParcelForm
    title = _("新增地块")


class PlotUpdateView(_PlotAreaContext, _Update):
    model = LandParcel
    form_class = LandParcelForm
    title = _("修改地块")


class PlotDeleteView(_Delete):
    model = LandParcel


class LineCreateView(_Create):
    model = ProductionLine
    form_class = ProductionLineForm
    title = _("新增产品产销")

    def extra_context_data(self, form):
        return {"live_value": True}


class LineUpdateView(_Update):
    model = ProductionLine
    form_class = ProductionLineForm
    title = _("修改产品产销")

    def extra_context_data(self, form):
        return {"live_value": True}


class LineDeleteView(_Delete):
    model = ProductionLine


class _FinanceContext:
    def extra_context_data(self, form):
        obj = getattr(self, "object", None)
        base_id = obj.base_id if obj is not None and obj.pk else chosen_pk(form["base"])
        year = self.row_year()
        value = ZERO
        if base_id is not None and scoping.visible(self.request.user, LaborBase).filter(pk=base_id).exists():
            value = BaseYearFinance.production_value_of(base_id, year.pk)
        return {"live_finance": True, "production_value": value}


class FinanceCreateView(_FinanceContext, _Create):
    model = BaseYearFinance
    form_class = BaseYearFinanceForm
    title = _("填写基地年度收支")


class FinanceUpdateView(_FinanceContext, _Update):
    model = BaseYearFinance
    form_class = BaseYearFinanceForm
    title = _("修改基地年度收支")


class FinanceDeleteView(_Delete):
    model = BaseYearFinance


class ActivityCreateView(_Create):
    model = StudentPracticeActivity
    form_class = StudentPracticeActivityForm
    title = _("新增学生劳动实践活动")


class ActivityUpdateView(_Update):
    model = StudentPracticeActivity
    form_class = StudentPracticeActivityForm
    title = _("修改学生劳动实践活动")


class ActivityDeleteView(_Delete):
    model = StudentPracticeActivity


# Next year in one step, and a school's years side by side ---------------------------------


def _school_from_request(user, raw) -> School:
    """The school a page is about: a principal's own (another school's id is a 404), or the
    one staff chose with ``?school=`` (404 without one)."""
    if user.is_principal:
        school_id = _int_or_none(raw) if raw else user.school_id
    else:
        school_id = _int_or_none(raw)
        if school_id is None:
            raise Http404
    return scoping.get_visible_or_404(user, School, pk=school_id)


class CopyYearView(RoleRequiredMixin, generic.TemplateView):
    """Copy last year's set-up of a school's bases into a year: GET previews, POST copies."""

    template_name = "labor_bases/copy_year.html"
    roles = (Role.STAFF, Role.PRINCIPAL)

    def setup_target(self):
        user = self.request.user
        raw = self.request.GET.get("school", "").strip()
        if user.is_principal:
            self.school = _school_from_request(user, raw)
        else:  # staff choose the school by id (links) or by typing its code or name
            self.school_filter = SchoolFilterForm(self.request.GET, user=user)
            self.school = self.school_filter.school
            if self.school is None and (raw or self.request.method == "POST"):
                raise Http404
        raw = self.request.GET.get("year")
        if raw:
            self.target = ReportingYear.objects.filter(pk=_int_or_none(raw) or 0).first()
        else:  # the newest open year: usually the one just opened
            self.target = scoping.entry_years(self.school.county_id if self.school else None).first()
        if self.target is None:
            raise Http404
        self.target = locks.for_county(self.target, self.school.county_id if self.school else None)

    def get(self, request, *args, **kwargs):
        self.setup_target()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.setup_target()
        try:
            plan = services.year_setup_copy(user=request.user, school=self.school, target=self.target)
        except (PermissionDenied, services.CopyRefused) as exc:
            return self.render_to_response(self.get_context_data(error=str(exc)))
        made = plan.to_create
        if made:
            messages.success(request, _(
                "已从 %(source)s 年度复制：申报总面积 %(areas)s 个、地块 %(plots)s 块、产品 %(lines)s 个（产量、单价待填写）。"
            ) % {
                "source": plan.source_year, "areas": sum(i.kind == "area" for i in made),
                "plots": sum(i.kind == "plot" for i in made), "lines": sum(i.kind == "line" for i in made),
            })
        else:
            messages.info(request, _("没有需要复制的内容：%(year)s 年度已有这些设置。") % {"year": self.target.year})
        return HttpResponseRedirect(index_url(self.target, None if request.user.is_principal else self.school.pk))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if self.school is None:
            return dict(context, year=self.target, school_filter=self.school_filter)
        plan = services.year_setup_plan(school=self.school, target=self.target)
        context.update(
            school=self.school, year=self.target, plan=plan, groups=plan.by_base(),
            write_block_reason=scoping.write_block_reason(user, school=self.school, year=self.target),
            open_years=scoping.entry_years(self.school.county_id),
            school_query="" if user.is_principal else f"&school={self.school.pk}",
            back_url=index_url(self.target, None if user.is_principal else self.school.pk),
        )
        return context


def copy_offer(user, school, year) -> str | None:
    """URL of the copy page for a ``year`` that holds no plots or products of ``school`` yet
    (the caller knows): when last year has some and ``user`` may write (None: no offer)."""
    if scoping.write_block_reason(user, school=school, year=year) is not None:
        return None
    if not selectors.has_year_setup(year.year - 1, school.pk):
        return None
    return reverse("labor_bases:copy_year") + f"?year={year.year}" + ("" if user.is_principal else f"&school={school.pk}")


YEAR_ROWS = (  # (label, key of selectors.school_years, format)
    (_("申报总面积（亩）"), "declared_total_mu", "mu"),
    (_("地块面积合计（亩）"), "total_mu", "mu"),
    (_("产品产值（元）"), "production_value", "yuan"),
    (_("总收入（元）"), "revenue", "yuan"),
    (_("总成本（元）"), "cost", "yuan"),
    (_("利润（元）"), "profit", "yuan"),
    (_("学生参加实践（人次）"), "participants", "int"),
)


class YearsView(RoleRequiredMixin, generic.TemplateView):
    """One school's years side by side (the figures of its sheet, one column per year)."""

    template_name = "labor_bases/years.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        raw = self.request.GET.get("school", "").strip()
        if user.is_principal:
            school = _school_from_request(user, raw)
        else:
            school_filter = SchoolFilterForm(self.request.GET, user=user)
            school = school_filter.school
            context["school_filter"] = school_filter
            if school is None:
                return context
        years = [locks.for_county(y, school.county_id) for y in ReportingYear.objects.order_by("year")]
        figures = selectors.school_years(school.pk, [y.year for y in years])
        # From the school's first year with any figure on.
        while len(years) > 1 and not any(v for k, v in figures[years[0].year].items() if k != "has_accounts"):
            years.pop(0)
        columns = [{"year": y, "url": index_url(y, None if user.is_principal else school.pk), **figures[y.year]}
                   for y in years]
        rows = [{"label": label, "format": fmt, "cells": [(c[key], c["has_accounts"]) for c in columns],
                 "needs_accounts": key in ("cost", "profit")} for label, key, fmt in YEAR_ROWS]
        context.update(school=school, columns=columns, rows=rows)
        return context
