"""Staff pages behind the summary's facts: the 大事记 (dated facts, with the order rule's
warnings), the year's 典型 schools and the figures earlier documents stated."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from workstudy import scoping
from workstudy.mixins import READERS_OF_BUREAU_DATA, RoleRequiredMixin
from workstudy.models import ConcurrentEditError, ReportingYear, Role

from . import figures, milestones
from .forms import DatedFactForm, example_formset, stated_formset
from .models import DatedFact


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
        from .views import summary_counties

        summary = figures.compute_cached(year.year, summary_counties(request)[0])  # the reader's county's facts
        facts = summary.data["milestones_list"]
        return render(request, "reports/facts.html", {
            "year": year, "years": ReportingYear.objects.order_by("-year"), "facts": facts,
            "findings": milestones.check(facts, year.year),
            "dated_facts": {f.kind: f for f in DatedFact.objects.all()},
            "kinds": DatedFact.Kind.choices,
            "can_edit": scoping.write_block_reason(request.user, school=None, year=None) is None,
        })


class FactEditView(RoleRequiredMixin, View):
    roles = (Role.STAFF,)

    def _instance(self, kind):
        if kind not in DatedFact.Kind.values:
            raise PermissionDenied(_("没有这个大事记事项。"))
        return DatedFact.objects.filter(kind=kind).first() or DatedFact(kind=kind)

    def _render(self, request, form):
        return render(request, "reports/fact_form.html", {"form": form, "label": form.instance.get_kind_display()})

    def get(self, request, kind):
        return self._render(request, DatedFactForm(instance=self._instance(kind)))

    def post(self, request, kind):
        scoping.check_write(request.user, school=None, year=None)
        form = DatedFactForm(request.POST, instance=self._instance(kind))
        if form.is_valid():
            try:
                form.save()
            except ConcurrentEditError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("已保存。尚未锁定的年度总结将使用新的日期；已锁定年度的总结不变。"))
                return redirect("reports:facts")
        return self._render(request, form)


class _YearRowsView(RoleRequiredMixin, View):
    """One formset of a year's rows (典型学校, 文件所写数字), saved all together or not at all."""

    roles = (Role.STAFF,)
    template_name = ""
    make_formset = None

    def _render(self, request, year, formset):
        return render(request, self.template_name, {
            "year": year, "formset": formset,
            "write_block_reason": scoping.write_block_reason(request.user, school=None, year=year),
        })

    def get(self, request, year):
        year = get_object_or_404(ReportingYear, pk=year)
        return self._render(request, year, type(self).make_formset(year=year))

    def post(self, request, year):
        year = get_object_or_404(ReportingYear, pk=year)
        scoping.check_write(request.user, school=None, year=year)
        formset = type(self).make_formset(request.POST, year=year)
        if formset.is_valid():
            try:
                with transaction.atomic():
                    formset.save()
            except IntegrityError:
                messages.error(request, _("刚才有人同时修改了这一页，请刷新后重新填写。"))
            else:
                messages.success(request, _("已保存。"))
                return redirect(request.path)
        return self._render(request, year, formset)


class ExampleSchoolsView(_YearRowsView):
    template_name = "reports/examples_form.html"
    make_formset = staticmethod(example_formset)


class StatedFiguresView(_YearRowsView):
    template_name = "reports/stated_form.html"
    make_formset = staticmethod(stated_formset)
