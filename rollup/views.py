"""The comparison of a city's or a province's counties: the page (table and chart), its PDF and
its workbook.

Who: bureau staff and auditors of a city or a province, over their own region or a city inside
it (``?region=<id>``; a region outside theirs is a 404). A county's users and principals get 403:
the comparison names other counties' figures, which county accounts do not read
(:mod:`workstudy.scoping`)."""

from __future__ import annotations

import io

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View

from workstudy import scoping
from workstudy.mixins import RoleRequiredMixin
from workstudy.models import Region, ReportingYear, Role
from workstudy.xlsx_writer import CONTENT_TYPE, Sheet, write_xlsx

from . import charts
from .comparison import BY_KEY, METRICS, Comparison, compare

READERS = (Role.STAFF, Role.AUDITOR)
DEFAULT_METRIC = "income_per_school"


def may_compare(user) -> bool:
    """A city's or a province's bureau user (staff or auditor)."""
    region = scoping.region_of(user)
    return bool((user.is_bureau or user.is_auditor) and region is not None and not region.is_county)


def region_for(user, region_id=None) -> Region:
    """The region ``user`` compares: their own, or a city or province inside it (404 otherwise);
    403 for users below a city."""
    if not may_compare(user):
        raise PermissionDenied(_("县区对比仅供市级和省级账号查看。"))
    own = scoping.region_of(user)
    if region_id in (None, ""):
        return own
    try:
        return scoping.regions_for(user).exclude(level=Region.Level.COUNTY).get(pk=int(region_id))
    except (Region.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def display(metric, value) -> str:
    if value is None:
        return "—"
    if metric.places == 0:
        return f"{int(value):,}"
    return f"{value:,.{metric.places}f}"


def table(comparison: Comparison) -> list[dict]:
    """The rows as printed: county name and each metric's text, the total row last."""
    return [
        {"name": row.region.name, "is_total": row.is_total, "pk": row.region.pk,
         "cells": [display(m, v) for m, v in row.cells()]}
        for row in [*comparison.rows, comparison.total]
    ]


class _ComparisonView(RoleRequiredMixin, View):
    roles = READERS

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.role in self.roles and not may_compare(request.user):
            raise PermissionDenied(_("县区对比仅供市级和省级账号查看。"))
        return super().dispatch(request, *args, **kwargs)

    def comparison(self) -> Comparison:
        year = get_object_or_404(ReportingYear, pk=self.kwargs["year"])
        region = region_for(self.request.user, self.request.GET.get("region"))
        return compare(region, year)

    def metric(self):
        return BY_KEY.get(self.request.GET.get("metric") or DEFAULT_METRIC) or BY_KEY[DEFAULT_METRIC]

    def context(self, comparison: Comparison) -> dict:
        metric = self.metric()
        return {
            "comparison": comparison, "year": comparison.year, "region": comparison.region,
            "metrics": METRICS, "metric": metric, "table": table(comparison),
            "chart": charts.bar(comparison, metric),
            "query": self.request.GET.urlencode(),
        }


class IndexView(RoleRequiredMixin, View):
    roles = READERS

    def get(self, request):
        region_for(request.user)
        year = scoping.current_year()
        if year is None:
            raise Http404(_("还没有统计年度。"))
        return redirect("rollup:compare", year=year.year)


class ComparisonView(_ComparisonView):
    def get(self, request, year):
        comparison = self.comparison()
        context = self.context(comparison)
        context["years"] = ReportingYear.objects.order_by("-year")
        user_region = scoping.region_of(request.user)
        context["cities"] = (
            list(user_region.subtree().filter(level=Region.Level.CITY).order_by("path"))
            if user_region.level == Region.Level.PROVINCE else []
        )
        return render(request, "rollup/comparison.html", context)


class ComparisonPdfView(_ComparisonView):
    def get(self, request, year):
        from reports.pdf import html_to_pdf, render_document

        with translation.override("zh-hans"):
            comparison = self.comparison()
            html = render_document("rollup/comparison_pdf.html", self.context(comparison))
        response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="rollup-{comparison.year}.pdf"'
        return response


def workbook(comparison: Comparison) -> bytes:
    """The comparison as .xlsx: one row per county and the total row, numbers as numbers; a
    second sheet lists each metric's formula."""
    header = [_("县（市、区）"), *(f"{m.label}（{m.unit}）" for m in METRICS)]
    rows = [[row.region.name if not row.is_total else _("%(region)s合计") % {"region": row.region.name},
             *(v for _m, v in row.cells())] for row in [*comparison.rows, comparison.total]]
    formulas = [[str(m.label), str(m.unit), str(m.formula)] for m in METRICS]
    out = io.BytesIO()
    write_xlsx(out, [
        Sheet(_("县区对比"), header, rows),
        Sheet(_("指标说明"), [_("指标"), _("单位"), _("计算方法")], formulas),
    ])
    return out.getvalue()


class ComparisonXlsxView(_ComparisonView):
    def get(self, request, year):
        with translation.override("zh-hans"):
            comparison = self.comparison()
            data = workbook(comparison)
        response = HttpResponse(data, content_type=CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="rollup-{comparison.year}.xlsx"'
        return response
