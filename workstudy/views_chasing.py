"""Chasing the year: its deadline, 催报 to the schools that have not submitted, approving
many submitted returns at once, and the list of every reminder sent."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from . import locks, scoping, services
from .forms import DeadlineForm, ReminderForm
from .mixins import READERS_OF_BUREAU_DATA, RoleRequiredMixin
from .models import Reminder, ReportingYear, Role, Submission, SubmissionStatus
from .views import years_context

# Schools named on a confirmation page; the rest are counted (a province has 15,000).
LIST_LIMIT = 200
# Returns approved at once: a page of the grid is 50.
BULK_LIMIT = 200


def _year_or_404(year) -> ReportingYear:
    reporting_year = ReportingYear.objects.filter(pk=year).first()
    if reporting_year is None:
        raise Http404
    return reporting_year


class YearDeadlineView(RoleRequiredMixin, View):
    """A director sets (or clears) an open year's 填报截止日期 from the 年度 page."""

    roles = (Role.STAFF,)
    http_method_names = ["post"]

    def post(self, request, year):
        reporting_year = _year_or_404(year)
        if not request.user.can_approve:
            raise PermissionDenied(scoping.approver_refusal(request.user) or _("只有勤工办主任可以设置填报截止日期。"))
        form = DeadlineForm(request.POST, auto_id=f"id_%s_{reporting_year.year}")
        if form.is_valid():
            try:
                services.year_set_deadline(user=request.user, year=reporting_year,
                                           deadline=form.cleaned_data["deadline"])
            except ValidationError as exc:
                form.add_error("deadline", exc)
            else:
                deadline = form.cleaned_data["deadline"]
                messages.success(request, _("%(year)s 年度的填报截止日期已设为 %(date)s。") % {
                    "year": reporting_year.year, "date": deadline.isoformat()} if deadline else
                    _("%(year)s 年度已取消填报截止日期。") % {"year": reporting_year.year})
                return redirect("years")
        context = years_context(request, deadline_form=form, form_year=reporting_year.year)
        return render(request, "workstudy/years.html", context, status=400)


class YearRemindView(RoleRequiredMixin, View):
    """催报: a page naming the schools of an open year that have not submitted, with the
    message to send (editable); confirming keeps one reminder per school and e-mails them."""

    roles = (Role.STAFF,)

    def get(self, request, year):
        reporting_year = _year_or_404(year)
        form = ReminderForm(initial={"message": services.default_reminder_text(
            reporting_year, locks.county_of_user(request.user))})
        return self.page(request, reporting_year, form)

    def page(self, request, reporting_year, form, status=200):
        reporting_year = locks.seen_by(request.user, reporting_year)
        pending = services.unsubmitted(reporting_year, request.user)
        shown = list(pending[:LIST_LIMIT])
        count = len(shown) if len(shown) < LIST_LIMIT else pending.count()
        block = None
        if reporting_year.is_locked:
            block = _("%(year)s 年度已锁定，无需催报。") % {"year": reporting_year.year}
        elif not count:
            block = _("%(year)s 年度所有学校均已上报，无需催报。") % {"year": reporting_year.year}
        with_mail = services.principal_addresses(s.school_id for s in shown)
        return render(
            request, "workstudy/year_remind.html",
            {"year": reporting_year, "form": form, "pending": shown, "count": count, "more": count - len(shown),
             "with_mail": with_mail, "block_reason": block, "deadline": services.deadline_status(
                 reporting_year, county=locks.county_of_user(request.user))},
            status=status,
        )

    def post(self, request, year):
        reporting_year = _year_or_404(year)
        form = ReminderForm(request.POST)
        if not form.is_valid():
            return self.page(request, reporting_year, form, status=400)
        try:
            sent = services.reminders_send(user=request.user, year=reporting_year, message=form.cleaned_data["message"])
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.page(request, reporting_year, form, status=400)
        emailed = sum(1 for r in sent if r.emailed_to)
        messages.success(request, _("已向 %(count)s 所未上报的学校发出催报，其中 %(mailed)s 所同时发送了邮件。") % {
            "count": len(sent), "mailed": emailed})
        return redirect(reverse("reminders") + f"?year={reporting_year.year}")


class BulkApproveView(RoleRequiredMixin, View):
    """批量审核通过: the grid's ticked returns (``?submission=<id>``…) listed on one page to
    confirm; confirming approves each through :func:`services.submission_approve` (one
    workflow record per school; a school that fails is named with its reason)."""

    roles = (Role.STAFF,)

    def chosen(self, request, data) -> list[Submission]:
        if not request.user.can_approve:
            raise PermissionDenied(scoping.approver_refusal(request.user) or _("只有勤工办主任可以审核。"))
        ids = []
        for raw in data.getlist("submission")[:BULK_LIMIT]:
            try:
                ids.append(int(raw))
            except (TypeError, ValueError):
                continue
        return list(
            scoping.visible(request.user, Submission.objects.filter(pk__in=ids))
            .select_related("school", "year").order_by("school__code")
        )

    def back(self, submissions):
        url = reverse("dashboard")
        if submissions:
            url += f"?year={submissions[0].year_id}&status=submitted"
        return redirect(url)

    def get(self, request):
        submissions = self.chosen(request, request.GET)
        ready = [s for s in submissions
                 if s.status == SubmissionStatus.SUBMITTED and not locks.is_locked(s.year, s.school.county_id)]
        if not ready:
            messages.error(request, _("请先在填报进度中勾选“已上报”的学校，再批量审核通过。"))
            return self.back(submissions)
        return render(request, "workstudy/bulk_approve.html", {
            "ready": ready, "skipped": [s for s in submissions if s not in ready], "year": ready[0].year,
        })

    def post(self, request):
        submissions = self.chosen(request, request.POST)
        if request.POST.get("confirm") != "yes":
            return self.back(submissions)
        approved, failures = services.submissions_approve(user=request.user, submissions=submissions)
        if approved:
            messages.success(request, _("已审核通过 %(count)s 所学校的填报。") % {"count": len(approved)})
        for failure in failures:
            messages.error(request, _("%(school)s 未能审核通过：%(reason)s") % {
                "school": failure.submission.school.name, "reason": failure.reason})
        return self.back(submissions)


class ReminderListView(RoleRequiredMixin, View):
    """Every 催报 and return notice sent, newest first, for the bureau and auditors."""

    roles = READERS_OF_BUREAU_DATA

    def get(self, request):
        reminders = scoping.visible(request.user, Reminder.objects.select_related("school", "sent_by"))
        year = request.GET.get("year", "")
        if year.isdigit():
            reminders = reminders.filter(year_id=int(year))
        kind = request.GET.get("kind", "")
        if kind in Reminder.Kind.values:
            reminders = reminders.filter(kind=kind)
        page = Paginator(reminders, 100).get_page(request.GET.get("page"))
        return render(request, "workstudy/reminders.html", {
            "page_obj": page, "reminders": page, "year_filter": year, "kind_filter": kind,
            "kinds": Reminder.Kind.choices, "years": ReportingYear.objects.all(),
        })
