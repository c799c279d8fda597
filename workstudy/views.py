"""Core pages: dashboards per role, the yearly workflow, schools, rules, health."""

from __future__ import annotations

import re
from collections import Counter

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Case, Count, F, OuterRef, Q, Subquery, When
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View, generic

from . import excel, freshness, locks, modules, names, notes, rules, scoping, services
from .forms import (
    DeadlineForm,
    NewYearForm,
    PrincipalCreateForm,
    ReopenForm,
    ReturnForm,
    SchoolForm,
    SubmissionCountsForm,
)
from .mixins import READERS_OF_BUREAU_DATA, RoleRequiredMixin, YearMixin
from .models import (
    PRINCIPAL_EDITABLE_STATES,
    ConcurrentEditError,
    Reminder,
    ReportingYear,
    Role,
    School,
    Submission,
    SubmissionStatus,
    WorkflowEvent,
)
from .prepared import prepared
from .widgets import SchoolFilterForm, use_school_picker


def _workflow_errors(request, exc):
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(exc))


class DashboardView(RoleRequiredMixin, YearMixin, generic.TemplateView):
    def get_template_names(self):
        return [f"workstudy/dashboard_{self.request.user.role}.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        year = self.get_year()
        if year is None:
            return context
        if user.is_principal:
            context.update(principal_context(user, year))
        elif user.is_bureau:
            context.update(grid_context(self.request, user, year))
        else:
            context["year_rows"] = year_overview(user)
        return context


def principal_context(user, year: ReportingYear) -> dict:
    submission = services.submission_for(school=user.school, year=year)
    submission.school, submission.year = user.school, year  # read already: not again by the checks below
    counts = modules.counts(year.year, school_ids=[user.school_id])
    items = [
        {"module": module, "count": counts[module.key].get(user.school_id, 0), "url": module.url(year.year)}
        for module in modules.all_modules()
    ]
    return {
        "submission": submission,
        "checklist": items,
        "findings": rules.findings(year.year, user.school_id),
        "submit_errors": services.submit_errors(submission) if submission.status in ("draft", "returned") else [],
        "actions": services.allowed_actions(user, submission),
        "write_block_reason": scoping.write_block_reason(user, school=user.school, year=year),
        "events": _school_events.all(year.year, user.school_id, user.school.county_id),
        "deadline": services.deadline_status(year, county=user.school.county_id),
        # The bureau's 催报 and return notices to this school for the year, newest first.
        "reminders": scoping.visible(user, Reminder.objects.filter(year=year)).select_related("sent_by")[:5],
    }


@prepared(int, int, int)
def _school_events(year: int, school_id: int, county_id: int):
    """A school's own steps in the year and the year's (lock / reopen, with the reason), newest first."""
    return WorkflowEvent.objects.filter(
        Q(school_id=school_id) | Q(school__isnull=True, county__isnull=True)
        | Q(school__isnull=True, county_id=county_id), year_id=year).select_related("actor")[:10]


def grid_context(request, user, year: ReportingYear) -> dict:
    """The schools x modules grid for staff, with filters and counts by state.

    Paged (50 schools): the modules' counts are read for the page's schools only, so the
    queries and their cost do not grow with the number of schools (a province has 15,000).
    By default what needs the bureau comes first (:data:`GRID_ACTION_ORDER`: submitted, the
    longest waiting first; then returned, draft, approved); ``?sort=code`` orders by school code.
    """
    sort = request.GET.get("sort", "")
    sort = sort if sort in GRID_SORTS else "action"
    submissions = scoping.visible(user, Submission.objects.filter(year=year)).select_related("school").order_by(
        *GRID_SORTS[sort]
    )
    status_counts = {
        row["status"]: row["n"] for row in submissions.order_by().values("status").annotate(n=Count("id"))
    }
    status = request.GET.get("status", "")
    query = request.GET.get("q", "").strip()
    township = request.GET.get("township", "")
    if status in SubmissionStatus.values:
        submissions = submissions.filter(status=status)
    if query:
        submissions = submissions.filter(Q(school__name__contains=query) | Q(school__code__contains=query))
    if township:
        submissions = submissions.filter(school__township=township)
    module_list = modules.all_modules()
    paginator = Paginator(submissions, GRID_PAGE_SIZE)
    if not (query or township):
        # Known from the status counts already read: no second count over the year's submissions.
        paginator.count = status_counts.get(status, 0) if status in SubmissionStatus.values else sum(
            status_counts.values()
        )
    page = paginator.get_page(request.GET.get("page"))
    names.as_locked(page, year)  # a locked year shows its schools as they were named then
    school_ids = [s.school_id for s in page]
    counts = modules.counts(year.year, school_ids=school_ids, module_list=module_list)
    rows = [
        {"submission": s, "cells": [counts[m.key].get(s.school_id, 0) for m in module_list]} for s in page
    ]
    # Kept per process until data changes (see rules.findings); counted for the page's schools.
    on_page = set(school_ids)
    page_findings = [f for f in rules.findings(year.year) if f.school_id in on_page]
    warnings_by_school = Counter(f.school_id for f in notes.still_open(year.year, page_findings))
    for row in rows:
        row["warnings"] = warnings_by_school.get(row["submission"].school_id, 0)
    return {
        "modules": module_list,
        "rows": rows,
        "sort": sort,
        "deadline": services.deadline_status(year, county=locks.county_of_user(user)),
        # Tick boxes for bulk approval: only a director, only in an open year.
        "can_bulk_approve": user.can_approve and not year.is_locked,
        "page_obj": page,
        "status_counts": [(s, s.label, status_counts.get(s.value, 0)) for s in SubmissionStatus],
        "total": sum(status_counts.values()),
        "status_filter": status,
        "q": query,
        "township": township,
        "townships": scoping.schools_for(user).exclude(township="").values_list("township", flat=True)
        .distinct().order_by("township"),
    }


GRID_PAGE_SIZE = 50
GRID_ACTION_ORDER = Case(
    When(status=SubmissionStatus.SUBMITTED, then=0),
    When(status=SubmissionStatus.RETURNED, then=1),
    When(status=SubmissionStatus.DRAFT, then=2),
    default=3,
)
GRID_SORTS = {
    "action": (GRID_ACTION_ORDER, F("submitted_at").asc(nulls_last=True), "school__code"),
    "code": ("school__code",),
}


def _status_counts_by_year() -> dict[tuple[int, int], Counter]:
    """``{(year, county id): Counter(status: schools)}``, counted by the database (a province has
    150,000 submissions over ten years), kept until a school, year or return changes
    (:func:`freshness.cached`)."""

    def count():
        per_year: dict[tuple[int, int], Counter] = {}
        rows = Submission.objects.values("year_id", "school__county_id", "status").annotate(n=Count("id")).order_by()
        for row in rows:
            per_year.setdefault((row["year_id"], row["school__county_id"]), Counter())[row["status"]] += row["n"]
        return per_year

    return freshness.cached("workstudy:status-by-year-county", count, apps=(freshness.RETURNS,))


def year_overview(user) -> list[dict]:
    """Each year as ``user``'s county sees it (locked by its own lock), with the returns of the
    counties ``user`` reads: approved and in all."""
    rows = []
    per_year = _status_counts_by_year()
    counties = scoping.county_ids(user)
    for year in locks.read_county_locks(list(ReportingYear.objects.select_related("locked_by"))):
        counts = sum((per_year.get((year.year, county), Counter()) for county in counties), Counter())
        rows.append({"year": locks.seen_by(user, year), "approved": counts.get("approved", 0),
                     "total": sum(counts.values())})
    return rows


class SubmissionCountsView(RoleRequiredMixin, YearMixin, View):
    """A principal's (or staff's) yearly counts for a school: 教职工、学生、贫困生."""

    roles = (Role.STAFF, Role.PRINCIPAL)

    def dispatch(self, request, *args, **kwargs):
        self.request = request
        return super().dispatch(request, *args, **kwargs)

    def get_submission(self):
        school_id = self.kwargs.get("school_id") or getattr(self.request.user, "school_id", None)
        school = scoping.get_visible_or_404(self.request.user, School, pk=school_id)
        year = self.get_year()
        if year is None:
            raise Http404
        return services.submission_for(school=school, year=year)

    def get(self, request, *args, **kwargs):
        submission = self.get_submission()
        form = SubmissionCountsForm(instance=submission)
        return self.render(submission, form)

    def post(self, request, *args, **kwargs):
        submission = self.get_submission()
        reason = scoping.obj_write_block_reason(request.user, submission)
        form = SubmissionCountsForm(request.POST, instance=submission)
        if reason:
            form.is_valid()
            form.add_error(None, reason)
        elif form.is_valid():
            try:
                form.save()
            except ConcurrentEditError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("基本情况已保存。"))
                return redirect(reverse("dashboard") + f"?year={submission.year_id}")
        return self.render(submission, form, status=400)

    def render(self, submission, form, status=200):
        return render(
            self.request,
            "workstudy/submission_counts.html",
            {
                "submission": submission,
                "form": form,
                "year": submission.year,
                "write_block_reason": scoping.obj_write_block_reason(self.request.user, submission),
            },
            status=status,
        )


class SubmissionActionView(RoleRequiredMixin, View):
    roles = (Role.STAFF, Role.PRINCIPAL)
    http_method_names = ["post"]

    def post(self, request, pk, action):
        submission = scoping.get_visible_or_404(request.user, Submission.objects.select_related("school", "year"), pk=pk)
        try:
            if action == "submit":
                services.submission_submit(user=request.user, submission=submission)
                messages.success(request, _("已上报，等待勤工办审核。"))
            elif action == "approve":
                services.submission_approve(user=request.user, submission=submission)
                messages.success(request, _("%(school)s 已审核通过。") % {"school": submission.school})
            elif action == "return":
                form = ReturnForm(request.POST)
                reason = form.data.get("reason", "")
                services.submission_return(user=request.user, submission=submission, reason=reason)
                messages.success(request, _("已退回 %(school)s，学校将看到退回原因。") % {"school": submission.school})
            else:
                raise Http404
        except (PermissionDenied, ValidationError, ConcurrentEditError) as exc:
            _workflow_errors(request, exc)
        next_url = request.POST.get("next", "")
        if next_url.startswith("/") and not next_url.startswith("//"):
            return redirect(next_url)
        return redirect("submission_detail", pk=submission.pk)


class ReopenSchoolsForm(ReopenForm):
    """Reopening a locked year: the reason, and which schools get their returns back.

    Up to :attr:`LIST_LIMIT` schools are offered as tick boxes; a larger county (a province
    has 15,000 schools) types the codes or names instead, one per line.
    """

    ALL, CHOSEN = "all", "chosen"
    LIST_LIMIT = 200
    which = forms.ChoiceField(
        label=_("退回哪些学校的填报"),
        choices=[(ALL, _("全部学校")), (CHOSEN, _("选定的学校"))],
        widget=forms.RadioSelect, initial=ALL,
    )
    schools = forms.ModelMultipleChoiceField(
        label=_("选定的学校"), queryset=School.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("只列出已上报或已审核、学校不能修改的填报。"),
    )

    def __init__(self, *args, year: ReportingYear, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = scoping.schools_for(user).filter(
            submissions__year=year, submissions__status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED]
        ).order_by("code")
        count = self.candidates.count()
        if count > self.LIST_LIMIT:
            self.fields["schools"] = forms.CharField(
                label=_("选定的学校"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
                help_text=_("填写学校代码或名称，每行一个（共 %(count)s 所学校的填报已上报或已审核，无法逐一列出）。")
                % {"count": count},
            )
        else:
            self.fields["schools"].queryset = self.candidates
        self.fields["reason"].error_messages["required"] = _("请填写重新开放原因，该原因会记入流程记录并告知学校。")
        self.fields["which"].error_messages["required"] = _("请选择退回全部学校还是选定的学校。")

    def clean_schools(self):
        value = self.cleaned_data.get("schools")
        if not isinstance(value, str):
            return value
        wanted = [w.strip() for w in re.split(r"[\n,，、;；]+", value) if w.strip()]
        # A code names one school; a name may be borne by a school of each county the user reads.
        found = excel.schools_by_text(self.candidates.select_related("county"), wanted)
        unknown = [w for w in wanted if w not in found]
        if unknown:
            raise forms.ValidationError(
                _("以下学校不存在，或其填报未上报、无需退回：%(names)s。") % {"names": _("、").join(unknown[:20])}
            )
        shared = [w for w in wanted if len(found[w]) > 1]
        if shared:
            raise forms.ValidationError(" ".join(excel.ambiguous_school_message(w, found[w]) for w in shared[:5]))
        return list({school.pk: school for school in (found[w][0] for w in wanted)}.values())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("which") == self.CHOSEN and not cleaned.get("schools") and "schools" not in self.errors:
            self.add_error("schools", _("请至少选择一所学校，或选择“全部学校”。"))
        return cleaned

    def chosen_schools(self):
        if self.cleaned_data["which"] == self.ALL:
            return "all"
        return [school.pk for school in self.cleaned_data["schools"]]


class YearListView(RoleRequiredMixin, View):
    roles = READERS_OF_BUREAU_DATA

    def get(self, request):
        return render(request, "workstudy/years.html", years_context(request))


def years_context(request, *, deadline_form: DeadlineForm | None = None, form_year: int | None = None) -> dict:
    """The 年度 page: each year with, for a director and an open year, why it cannot be locked
    yet (shown instead of the button) and its deadline form (``deadline_form`` for
    ``form_year`` when a typed date was refused)."""
    rows = year_overview(request.user)
    if request.user.can_approve:
        for row in rows:
            year = row["year"]
            if year.is_locked:
                continue
            row["lock_block"] = services.year_lock_block_reason(year, request.user.region_id)
            row["deadline"] = services.deadline_status(year, county=request.user.region_id)
            due = row["deadline"]["date"] if row["deadline"] else None
            row["deadline_form"] = (
                deadline_form if year.year == form_year and deadline_form is not None
                else DeadlineForm(initial={"deadline": due.isoformat() if due else ""},
                                  auto_id=f"id_%s_{year.year}")
            )
    return {
        "year_rows": rows,
        "next_year": services.next_year_to_open(),
        "new_year_form": NewYearForm(),
        "current_year": scoping.current_year(),
        # The year's own steps (lock, reopen) of the user's counties, and those of every county at once.
        "events": WorkflowEvent.objects.filter(school__isnull=True).filter(
            Q(county__isnull=True) | Q(county_id__in=scoping.county_ids(request.user))
        ).select_related("actor", "county")[:20],
    }


def _director_only(request) -> bool:
    if request.user.can_approve:
        return True
    messages.error(request, scoping.approver_refusal(request.user) or _("只有勤工办主任可以开放、删除或重新开放统计年度。"))
    return False


class YearCreateView(RoleRequiredMixin, View):
    """开放新年度: a page that names the one year that may be opened and asks to confirm."""

    roles = (Role.STAFF,)

    def get(self, request, action=None):
        if not _director_only(request):
            return redirect("years")
        next_year = services.next_year_to_open()
        return render(
            request, "workstudy/year_create_confirm.html",
            {"next_year": next_year, "form": None if next_year else NewYearForm()},
        )

    def post(self, request, action=None):
        if request.POST.get("confirm") != "yes":
            # Not confirmed on the page: show the confirmation step first.
            return redirect(reverse("year_create"))
        try:
            form = NewYearForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors.get("year", [_("请输入年度。")]))
            created = services.year_create(user=request.user, year=form.cleaned_data["year"])
        except (PermissionDenied, ValidationError) as exc:
            _workflow_errors(request, exc)
            return redirect("years")
        messages.success(
            request,
            _("%(year)s 年度已开放填报，已为 %(count)s 所在用学校建立填报。") % {
                "year": created.year, "count": created.submissions.count(),
            },
        )
        return redirect("years")


class YearActionView(RoleRequiredMixin, View):
    """Lock (a button), and the two steps that ask first: delete and reopen."""

    roles = (Role.STAFF,)

    def get_year(self, year) -> ReportingYear:
        reporting_year = ReportingYear.objects.filter(pk=year).first()
        if reporting_year is None:
            raise Http404
        return locks.seen_by(self.request.user, reporting_year)

    def get(self, request, action, year):
        reporting_year = self.get_year(year)
        if action not in ("delete", "reopen"):
            raise Http404
        if not _director_only(request):
            return redirect("years")
        if action == "delete":
            return self.delete_page(request, reporting_year)
        return self.reopen_page(request, reporting_year, ReopenSchoolsForm(year=reporting_year, user=request.user))

    def delete_page(self, request, reporting_year, status=200):
        return render(
            request, "workstudy/year_delete_confirm.html",
            {"year": reporting_year, "block_reason": services.year_delete_block_reason(reporting_year)},
            status=status,
        )

    def reopen_page(self, request, reporting_year, form, status=200):
        return render(
            request, "workstudy/year_reopen.html",
            {"year": reporting_year, "form": form,
             "block_reason": None if reporting_year.is_locked else _("%(year)s 年度未锁定，无需重新开放。") % {
                 "year": reporting_year.year}},
            status=status,
        )

    def post(self, request, action, year=None):
        reporting_year = self.get_year(year)
        try:
            if action == "lock":
                services.year_lock(user=request.user, year=reporting_year)
                messages.success(request, _("%(year)s 年度已锁定。") % {"year": year})
            elif action == "delete":
                if request.POST.get("confirm") != "yes":
                    return redirect("year_action", year=year, action="delete")
                services.year_delete(user=request.user, year=reporting_year)
                messages.success(request, _("%(year)s 年度已删除。") % {"year": year})
            elif action == "reopen":
                return self.reopen(request, reporting_year)
            else:
                raise Http404
        except (PermissionDenied, ValidationError) as exc:
            _workflow_errors(request, exc)
        return redirect("years")

    def reopen(self, request, reporting_year):
        if not _director_only(request):
            return redirect("years")
        form = ReopenSchoolsForm(request.POST, year=reporting_year, user=request.user)
        if not form.is_valid():
            return self.reopen_page(request, reporting_year, form, status=400)
        try:
            _year, given_back = services.year_reopen_with_schools(
                user=request.user, year=reporting_year, reason=form.cleaned_data["reason"],
                schools=form.chosen_schools(),
            )
        except (PermissionDenied, ValidationError) as exc:
            _workflow_errors(request, exc)
            return redirect("years")
        still_closed = Submission.objects.filter(year=reporting_year).exclude(
            status__in=PRINCIPAL_EDITABLE_STATES).count()
        names = _("、").join(s.school.name for s in given_back[:10])
        if given_back:
            text = _(
                "%(year)s 年度已重新开放。已退回 %(count)s 所学校的填报，学校现在可以修改并重新上报：%(names)s%(more)s。"
            ) % {
                "year": reporting_year.year, "count": len(given_back), "names": names,
                "more": _(" 等") if len(given_back) > 10 else "",
            }
        else:
            text = _("%(year)s 年度已重新开放。") % {"year": reporting_year.year}
        if still_closed:
            text += _("另有 %(count)s 所学校的填报仍为已上报或已审核，学校不能修改；如需修改，请在填报进度中逐校退回。") % {
                "count": still_closed}
        messages.success(request, text)
        return redirect("years")


class SchoolListView(RoleRequiredMixin, YearMixin, generic.ListView):
    """The schools with the chosen year's counts (staff, students, boarders, poor students),
    read from each school's return for that year: a count is never taken from another year."""

    roles = READERS_OF_BUREAU_DATA
    template_name = "workstudy/school_list.html"
    paginate_by = 100

    def get_queryset(self):
        qs = scoping.schools_for(self.request.user)
        query = self.request.GET.get("q", "").strip()
        if query:
            qs = qs.filter(Q(name__contains=query) | Q(code__contains=query) | Q(township__contains=query))
        year = self.get_year()
        return with_year_counts(qs, year.pk if year else None).order_by("code")


COUNT_FIELDS = ("staff_count", "student_count", "boarding_count", "poor_student_count")


def with_year_counts(schools, year: int | None):
    """``schools`` annotated with ``year_<count>`` for each of :data:`COUNT_FIELDS`: the
    counts of their Submission for ``year`` (None: not entered)."""
    sub = Submission.objects.filter(school_id=OuterRef("pk"), year_id=year).order_by()  # one row: no sort
    return schools.annotate(**{f"year_{name}": Subquery(sub.values(name)[:1]) for name in COUNT_FIELDS})


class SchoolEditView(RoleRequiredMixin, View):
    roles = (Role.STAFF,)

    def get_object(self, pk):
        """The school to change, or a new school of the user's county (the form has no county:
        its name must be unique in that county). Only a county's staff change schools."""
        user = self.request.user
        school = scoping.get_visible_or_404(user, School, pk=pk) if pk else School(county=scoping.region_of(user))
        reason = scoping.region_block_reason(user, school=school, county=school.county_id)
        if reason:
            raise PermissionDenied(reason)
        return school

    def get(self, request, pk=None):
        return render(request, "workstudy/school_form.html", {"form": SchoolForm(instance=self.get_object(pk))})

    def post(self, request, pk=None):
        form = SchoolForm(request.POST, instance=self.get_object(pk))
        if form.is_valid():
            form.save()
            messages.success(request, _("学校信息已保存。"))
            return redirect("schools")
        return render(request, "workstudy/school_form.html", {"form": form}, status=400)


class UserListView(RoleRequiredMixin, View):
    """Staff manage principals' accounts: create them for a school, deactivate them."""

    roles = (Role.STAFF,)

    def get(self, request, form=None):
        users = scoping.users_for(request.user).select_related("school").order_by("role", "username")
        query = request.GET.get("q", "").strip()
        if query:
            users = users.filter(
                Q(username__icontains=query) | Q(first_name__icontains=query) | Q(last_name__icontains=query)
            )
        school_filter = SchoolFilterForm(request.GET, user=request.user)
        if school_filter.failed:
            users = users.none()
        elif school_filter.school is not None:
            users = users.filter(school=school_filter.school)
        page = Paginator(users, 100).get_page(request.GET.get("page"))  # a province has 15,000 principals
        return render(
            request,
            "workstudy/users.html",
            {
                "users": page, "page_obj": page, "q": query, "school_filter": school_filter,
                "form": form or self.create_form(),
            },
            status=400 if form is not None else 200,
        )

    def create_form(self, data=None):
        form = PrincipalCreateForm(data)
        # A search box with suggestions instead of a <select> of every school (15,000 in a province).
        use_school_picker(form, "school", scoping.schools_for(self.request.user))
        return form

    def post(self, request):
        if "deactivate" in request.POST or "activate" in request.POST:
            target = scoping.users_for(request.user).filter(pk=request.POST.get("user_id")).first()
            if target is None:
                raise Http404
            if target == request.user:
                messages.error(request, _("不能停用自己的账号。"))
            else:
                target.is_active = "activate" in request.POST
                target.save(update_fields=["is_active"])
                messages.success(request, _("账号 %(name)s 已%(state)s。") % {
                    "name": target.username, "state": _("启用") if target.is_active else _("停用"),
                })
            return redirect("users")
        form = self.create_form(request.POST)
        if form.is_valid():
            user = form.save()
            messages.success(
                request, _("已为 %(school)s 创建校长账号 %(name)s。") % {"school": user.school, "name": user.username}
            )
            return redirect("users")
        return self.get(request, form=form)


class RulesView(RoleRequiredMixin, generic.TemplateView):
    template_name = "workstudy/rules.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rules"] = sorted(rules.RULES.values(), key=lambda r: r.code)
        context["severity_labels"] = rules.SEVERITY_LABELS
        return context


def health(request):
    """For the load balancer: 200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def csrf_failure(request, reason=""):
    """A form whose security token failed (page left open too long, cookies cleared): the
    portal's own 403 page with what to do, instead of Django's English one."""
    return render(request, "403.html", {"csrf_failed": True}, status=403)


def robots(request):
    return HttpResponse("User-agent: *\nDisallow: /\n", content_type="text/plain")
