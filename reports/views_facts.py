"""Staff pages behind the summary's facts: the 大事记 (dated facts, with the order rule's
warnings), the year's 典型 schools and the figures earlier documents stated.

Dated facts and stated figures belong to a county or are shared by the deployment
(:mod:`reports.texts`): a county's staff write their county's only (a fact the county has not
entered starts from the shared one); city and province staff read the county they pick."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from workstudy import scoping
from workstudy.mixins import READERS_OF_BUREAU_DATA, RoleRequiredMixin
from workstudy.models import ReportingYear, Role

from . import figures, milestones, texts
from .forms import DatedFactForm, example_formset, stated_formset
from .models import DatedFact, StatedFigure
from .views import check_county_row, county_query, own_or_copy, save_county_row, summary_counties


def _summary_year(request) -> ReportingYear:
    """The year whose summary the 大事记 page checks: ``?year=`` or the year in progress."""
    wanted = request.GET.get("year", "")
    if wanted.isdigit():
        return get_object_or_404(ReportingYear, pk=int(wanted))
    year = scoping.current_year()
    if year is None:
        raise PermissionDenied(_("还没有统计年度，请先开放一个年度。"))
    return year


class FactListView(RoleRequiredMixin, View):
    roles = READERS_OF_BUREAU_DATA

    def get(self, request):
        year = _summary_year(request)
        county, counties = summary_counties(request)
        summary = figures.compute_cached(year.year, county)  # the reader's county's facts
        facts = summary.data["milestones_list"]
        reason = scoping.write_block_reason(request.user, school=None, year=None, county=county)
        return render(request, "reports/facts.html", {
            "year": year, "years": ReportingYear.objects.order_by("-year"), "facts": facts,
            "findings": milestones.check(facts, year.year),
            "dated_facts": milestones.dated_facts(county),
            "kinds": DatedFact.Kind.choices,
            "can_edit": reason is None, "write_block_reason": reason,
            "county": county, "counties": counties, "county_query": county_query(county, counties, "&"),
            "edit_query": county_query(county, counties),
        })


class FactEditView(RoleRequiredMixin, View):
    """A dated fact of the county read; one the county has not entered starts from the shared one."""

    roles = (Role.STAFF,)

    def _instance(self, county, kind):
        if kind not in DatedFact.Kind.values:
            raise PermissionDenied(_("没有这个大事记事项。"))
        rows = texts.own_or_shared(DatedFact.objects.filter(kind=kind), county)
        return own_or_copy(rows, county, DatedFact(kind=kind), ("year", "month", "note"))

    def _render(self, request, county, counties, form):
        return render(request, "reports/fact_form.html", {
            "form": form, "label": form.instance.get_kind_display(), "county": county,
            "county_query": county_query(county, counties),
            "write_block_reason": scoping.write_block_reason(request.user, school=None, year=None, county=county),
            "from_shared": form.instance.pk is None and form.instance.year is not None,
        })

    def get(self, request, kind):
        county, counties = summary_counties(request)
        return self._render(request, county, counties, DatedFactForm(instance=self._instance(county, kind)))

    def post(self, request, kind):
        county, counties = summary_counties(request)
        fact = self._instance(county, kind)
        check_county_row(request, fact)
        form = DatedFactForm(request.POST, instance=fact)
        if form.is_valid() and save_county_row(request, form):
            messages.success(request, _("已保存。尚未锁定的年度总结将使用新的日期；已锁定年度的总结不变。"))
            return redirect(reverse("reports:facts") + county_query(county, counties))
        return self._render(request, county, counties, form)


class _YearRowsView(RoleRequiredMixin, View):
    """One formset of a year's rows (典型学校, 文件所写数字), saved all together or not at all."""

    roles = (Role.STAFF,)
    template_name = ""
    make_formset = None
    per_county = False  # the rows have a county of their own: the formset holds the county's

    def _formset(self, *args, year, county):
        if self.per_county:
            return type(self).make_formset(*args, year=year, county=county)
        return type(self).make_formset(*args, year=year)

    def _context(self, request, year, county, counties) -> dict:
        return {}

    def _render(self, request, year, formset, county=None, counties=()):
        return render(request, self.template_name, {
            "year": year, "formset": formset,
            "write_block_reason": scoping.write_block_reason(
                request.user, school=None, year=year, county=county if self.per_county else None),
            **self._context(request, year, county, counties),
        })

    def get(self, request, year):
        year = get_object_or_404(ReportingYear, pk=year)
        county, counties = summary_counties(request) if self.per_county else (None, ())
        return self._render(request, year, self._formset(year=year, county=county), county, counties)

    def post(self, request, year):
        year = get_object_or_404(ReportingYear, pk=year)
        county, counties = summary_counties(request) if self.per_county else (None, ())
        scoping.check_write(request.user, school=None, year=year)
        if self.per_county:
            reason = scoping.write_block_reason(request.user, school=None, year=year, county=county)
            if reason:
                raise PermissionDenied(reason)
        formset = self._formset(request.POST, year=year, county=county)
        for form in formset.forms:
            scoping.stamp_county(request.user, form.instance)  # a new row: the writer's county
        if formset.is_valid():
            try:
                with transaction.atomic():
                    formset.save()
            except IntegrityError:
                messages.error(request, _("刚才有人同时修改了这一页，请刷新后重新填写。"))
            else:
                messages.success(request, _("已保存。"))
                return redirect(request.get_full_path())
        return self._render(request, year, formset, county, counties)


class ExampleSchoolsView(_YearRowsView):
    template_name = "reports/examples_form.html"
    make_formset = staticmethod(example_formset)


class StatedFiguresView(_YearRowsView):
    """The county's stated figures of the year; the shared ones are listed below, printed for
    each key the county states nothing of its own."""

    template_name = "reports/stated_form.html"
    make_formset = staticmethod(stated_formset)
    per_county = True

    def _context(self, request, year, county, counties) -> dict:
        rows = list(texts.own_or_shared(StatedFigure.objects.filter(year=year), county).order_by("key", "source"))
        printed = {row.pk for row in texts.choose(rows, county, lambda row: row.key)}
        return {
            "county": county, "county_query": county_query(county, counties),
            "shared_rows": [{"row": row, "printed": row.pk in printed} for row in rows if row.county_id is None],
        }
