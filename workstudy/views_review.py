"""The review screen of one school's year: its figures next to last year's, every open warning
with the school's explanation, and the workflow's actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from . import locks, modules, names, notes, rules, scoping, services
from .forms import ReturnForm
from .mixins import RoleRequiredMixin
from .models import ReportingYear, Role, Submission, WorkflowEvent
from .money import format_area, format_quantity, format_yuan, pct_change

# How a figure's value prints (a module's figure names its ``format``; counts by default).
FORMATS = {"yuan": format_yuan, "mu": format_area, "qty": format_quantity}


def _signed(text: str, value) -> str:
    return f"+{text}" if value is not None and value > 0 else text


def compared_figures(year: int, school_id: int) -> tuple[list[dict], bool]:
    """Per module: its title, the link to this school's rows and its figures of ``year`` beside
    those of the year before, with the change; and whether the year before exists."""
    has_last = ReportingYear.objects.filter(pk=year - 1).exists()
    years = [year - 1, year] if has_last else [year]
    out = []
    for module in modules.all_modules():
        if module.figures is None:
            continue
        both = module.figures(years, school_id)
        now = both[year]
        before = {f["key"]: f for f in both[year - 1]} if has_last else {}
        keys = [f["key"] for f in now]
        rows = []
        for figure in _merged(now, before):
            last = before.get(figure["key"])
            current = figure if figure["key"] in keys else None
            value = current["value"] if current else None
            previous = last["value"] if last else None
            show = FORMATS[figure.get("format", "qty")]
            change = None if value is None or previous is None else value - previous
            rows.append({
                "label": figure["label"], "unit": figure["unit"], "url": current["url"] if current else "",
                "value": show(value), "last": show(previous), "last_url": last["url"] if last and previous is not None else "",
                "change": _signed(show(change), change), "pct": pct_change(previous, value),
                "empty": value is None,
            })
        out.append({"module": module, "rows": rows,
                    "url": module.school_url(year, school_id) if module.school_url else module.url(year)})
    return out, has_last


def _merged(now: list[dict], before: dict[str, dict]) -> list[dict]:
    """This year's figures with last year's that this year lacks, each where it stood last year
    (a kind of service run last year only stays beside the others, before the total)."""
    have = {f["key"] for f in now}
    waiting = [f for key, f in before.items() if key not in have]
    order = list(before)
    out = []
    for figure in now:
        if figure["key"] in before:
            position = order.index(figure["key"])
            out.extend(f for f in waiting if order.index(f["key"]) < position)
            waiting = [f for f in waiting if order.index(f["key"]) >= position]
        out.append(figure)
    return out + waiting


class SubmissionDetailView(RoleRequiredMixin, View):
    def get(self, request, pk):
        submission = scoping.get_visible_or_404(
            request.user, Submission.objects.select_related("school", "year"), pk=pk
        )
        submission.year = locks.for_county(submission.year, submission.school.county_id)
        names.as_locked([submission], submission.year)
        user = request.user
        findings = rules.findings(submission.year_id, submission.school_id)
        kept = notes.notes_of(submission.year_id, submission.school_id)
        may_explain = notes.explain_block_reason(user, submission) is None
        may_accept = user.can_approve and not locks.is_locked(submission.year, submission.school.county_id)
        warnings = [{"finding": f, "note": kept.get(f.key)} for f in findings]
        figures, has_last = compared_figures(submission.year_id, submission.school_id)
        return_with = request.GET.get("return_with", "")
        initial = {}
        for w in warnings:
            if w["finding"].key == return_with:
                initial["reason"] = _("请说明这条提醒：%(message)s") % {"message": w["finding"].message}
        return render(request, "workstudy/submission_detail.html", {
            "submission": submission,
            "year": submission.year,
            "figures": figures,
            "has_last": has_last,
            "warnings": warnings,
            "open_count": sum(1 for w in warnings if not (w["note"] and w["note"].accepted)),
            "may_explain": may_explain,
            "may_accept": may_accept,
            "submit_errors": services.submit_errors(submission),
            "actions": services.allowed_actions(user, submission),
            "events": WorkflowEvent.objects.filter(year=submission.year, school=submission.school).select_related("actor"),
            "return_form": ReturnForm(initial=initial),
        })


class WarningNoteView(RoleRequiredMixin, View):
    """POST: explain a warning (``explain``, with ``text``) or accept its explanation (``accept``)."""

    roles = (Role.STAFF, Role.PRINCIPAL)
    http_method_names = ["post"]

    def post(self, request, pk, action):
        submission = scoping.get_visible_or_404(request.user, Submission.objects.select_related("school", "year"), pk=pk)
        key = request.POST.get("key", "")
        try:
            if action == "explain":
                notes.explain(user=request.user, submission=submission, key=key, text=request.POST.get("text", ""))
                messages.success(request, _("说明已保存，勤工办审核时会看到。"))
            elif action == "accept":
                notes.accept(user=request.user, submission=submission, key=key)
                messages.success(request, _("已接受学校的说明。"))
            else:
                raise Http404
        except (PermissionDenied, ValidationError) as exc:
            for message in getattr(exc, "messages", None) or [str(exc)]:
                messages.error(request, message)
        return redirect("submission_detail", pk=submission.pk)
