"""Pages of the reports to the level above: a region's own report (status, what it sent,
history, the 上报 button) and the grid of the reports of the regions under it, with the
approve and return actions of the level above."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from workstudy import scoping
from workstudy.mixins import READERS_OF_BUREAU_DATA, RoleRequiredMixin
from workstudy.models import Region, ReportingYear, Role

from . import services, snapshot
from .models import RegionSubmission, RegionSubmissionEvent

S = RegionSubmission.Status
A = RegionSubmissionEvent.Action


def _region_or_404(user, pk) -> Region:
    try:
        return scoping.regions_for(user).select_related("parent").get(pk=pk)
    except Region.DoesNotExist:
        raise Http404 from None


def _report(region: Region, year: ReportingYear, found: dict | None = None) -> RegionSubmission:
    """The region's report, or an unsaved draft (a page never writes)."""
    if found is not None:
        report = found.get(region.pk)
    else:
        report = RegionSubmission.objects.filter(region=region, year=year).select_related(
            "submitted_by", "reviewed_by").first()
    if report is None:
        report = RegionSubmission(region=region, year=year)
    report.region = region
    return report


def _grid(user, year: ReportingYear, region: Region) -> dict | None:
    """The reports of the regions under ``region`` that ``user`` reads, with what stands under each."""
    children = list(scoping.regions_for(user).filter(parent=region).select_related("parent").order_by("path"))
    if not children:
        return None
    found = {r.region_id: r for r in RegionSubmission.objects.filter(region__in=children, year=year)}
    below = snapshot.below(year.pk, children)
    rows, counts = [], {value: 0 for value in S.values}
    for child in children:
        report = _report(child, year, found)
        counts[report.status] += 1
        approved, total = below.get(child.pk, (0, 0))
        rows.append({"region": child, "report": report, "approved": approved, "total": total,
                     "actions": services.allowed_actions(user, report) if report.pk else []})
    return {
        "rows": rows,
        "counts": [{"status": value, "label": label, "n": counts[value]} for value, label in S.choices],
        "below_label": _("学校填报已审核") if region.level == Region.Level.CITY else _("县（市、区）上报已审核"),
    }


def _ancestors(user, region: Region) -> list[dict]:
    readable = set(scoping.regions_for(user).values_list("pk", flat=True))
    chain, node = [], region.parent
    while node is not None:
        chain.append({"region": node, "readable": node.pk in readable})
        node = node.parent
    return list(reversed(chain))


def _pending_now(year: ReportingYear, region: Region) -> str:
    n = snapshot.pending(year.pk, region)
    if not n:
        return ""
    if region.is_county:
        return _("目前尚有 %(n)s 所学校的填报未审核。仍可上报，市局将看到这一数字。") % {"n": n}
    return _("目前尚有 %(n)s 个县（市、区）的上报未审核。仍可上报，省厅将看到这一数字。") % {"n": n}


def _pending_sent(region: Region, n: int | None) -> str:
    if n is None:
        return ""
    if region.is_county:
        return _("%(n)s 所学校的填报") % {"n": n}
    return _("%(n)s 个县（市、区）的上报") % {"n": n}


def _page(request, year: ReportingYear, region: Region):
    user = request.user
    context = {
        "year": year, "years": ReportingYear.objects.all(), "region": region,
        "ancestors": _ancestors(user, region), "grid": _grid(user, year, region),
        "own_page": region.pk == user.region_id,
    }
    if region.level != Region.Level.PROVINCE:
        report = _report(region, year)
        context.update({
            "report": report,
            "actions": services.allowed_actions(user, report),
            "events": report.events.select_related("actor") if report.pk else [],
            "changes": snapshot.changes(report),
            "pending_now": _pending_now(year, region),
            "pending_sent": _pending_sent(region, report.pending_count),
        })
    return render(request, "upward/region.html", context)


class IndexView(RoleRequiredMixin, View):
    roles = READERS_OF_BUREAU_DATA

    def get(self, request):
        year = scoping.current_year()
        if year is None:
            raise Http404
        return redirect("upward:year", year=year.pk)


class YearView(RoleRequiredMixin, View):
    """The user's own region: its report and the grid of the regions under it."""

    roles = READERS_OF_BUREAU_DATA

    def get(self, request, year):
        year_obj = get_object_or_404(ReportingYear, pk=year)
        if not request.user.region_id:
            raise Http404
        return _page(request, year_obj, _region_or_404(request.user, request.user.region_id))


class RegionView(RoleRequiredMixin, View):
    """One region's report (a county's frozen figures, a city's counties) under the user's region."""

    roles = READERS_OF_BUREAU_DATA

    def get(self, request, year, pk):
        year_obj = get_object_or_404(ReportingYear, pk=year)
        return _page(request, year_obj, _region_or_404(request.user, pk))


class ActionView(RoleRequiredMixin, View):
    """POST: ``submit`` (the region's director), ``approve`` or ``return`` (with ``reason``; a
    director of the region above). ``version``: the report's version the page showed."""

    roles = (Role.STAFF,)
    http_method_names = ["post"]

    def post(self, request, year, pk, action):
        year_obj = get_object_or_404(ReportingYear, pk=year)
        region = _region_or_404(request.user, pk)
        if action not in services.TRANSITIONS:
            raise Http404
        raw_version = request.POST.get("version", "")
        version = int(raw_version) if raw_version.isdigit() else None
        try:
            services.act(user=request.user, region=region, year=year_obj, action=action,
                         reason=request.POST.get("reason", ""), version=version)
        except (PermissionDenied, ValidationError) as exc:
            for message in getattr(exc, "messages", None) or [str(exc)]:
                messages.error(request, message)
        else:
            done = {
                A.SUBMIT: _("%(region)s %(year)s 年度的数据已上报，上报时的数据已保存。"),
                A.APPROVE: _("%(region)s %(year)s 年度的上报已审核通过。"),
                A.RETURN: _("已退回 %(region)s %(year)s 年度的上报，对方将看到退回原因。"),
            }[action]
            messages.success(request, done % {"region": region.name, "year": year_obj.pk})
        mine = region.pk == request.user.region_id
        if mine or (action != A.SUBMIT and region.parent_id == request.user.region_id):
            return redirect("upward:year", year=year_obj.pk)
        return redirect("upward:region", year=year_obj.pk, pk=region.pk)
