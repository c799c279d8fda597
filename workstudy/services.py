"""Workflow services: every change of a submission's or a year's state goes through here.

Each service locks the row it changes (``select_for_update``) inside a transaction, so
two people submitting or approving at once end in one consistent state, and records a
:class:`~workstudy.models.WorkflowEvent`.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import locks, modules, scoping
from .models import (
    PRINCIPAL_EDITABLE_STATES,
    ConcurrentEditError,
    CountyDeadline,
    CountyLock,
    ImportUpload,
    Reminder,
    ReportingYear,
    Role,
    School,
    Submission,
    SubmissionStatus,
    WorkflowEvent,
)
from .prepared import prepared
from .rules import SUBMISSION_COUNTS_REQUIRED
from .signals import year_locked, year_reopened

logger = logging.getLogger(__name__)

S = SubmissionStatus
# The workflow: action -> (states it may start from, state it leads to).
TRANSITIONS = {
    WorkflowEvent.Action.SUBMIT: ((S.DRAFT, S.RETURNED), S.SUBMITTED),
    WorkflowEvent.Action.RETURN: ((S.SUBMITTED, S.APPROVED), S.RETURNED),
    WorkflowEvent.Action.APPROVE: ((S.SUBMITTED,), S.APPROVED),
}


def allowed_actions(user, submission: Submission) -> list[str]:
    """Workflow actions ``user`` may take on ``submission`` now (for buttons)."""
    if locks.is_locked(submission.year, submission.school.county_id) or not scoping.can_read(user, submission):
        return []
    actions = []
    for action, (sources, _target) in TRANSITIONS.items():
        if submission.status not in sources:
            continue
        if action == WorkflowEvent.Action.SUBMIT and (user.is_principal or user.is_bureau):
            actions.append(action)
        elif action != WorkflowEvent.Action.SUBMIT and user.can_approve:
            actions.append(action)
    return actions


@prepared(int, int)
def _return_of(school_id: int, year: int):
    return Submission.objects.filter(school_id=school_id, year_id=year)


def submission_for(*, school: School, year: ReportingYear) -> Submission:
    """The school's return for the year, made (as a draft) if it has none yet."""
    found = _return_of.first(school.pk, year.pk)
    if found is not None:
        return found
    submission, _created = Submission.objects.get_or_create(school=school, year=year)
    return submission


def _locked(submission: Submission) -> Submission:
    # Lock the return's row only ("self"): FOR UPDATE over the join locked its school and year
    # rows too, and a year being locked (which writes its documents, each referring to a school,
    # while it holds the year's row) then deadlocked with a return in the same second.
    return Submission.objects.select_for_update(of=("self",)).select_related("year", "school").get(pk=submission.pk)


def _transition(*, user, submission: Submission, action: str, reason: str = "") -> Submission:
    sources, target = TRANSITIONS[action]
    with transaction.atomic():
        locked = _locked(submission)
        # The year as it is once no lock of it is under way (a lock committing meanwhile is seen).
        locked.year = ReportingYear.objects.select_for_update().get(pk=locked.year_id)
        if locks.is_locked(locked.year, locked.school.county_id):
            raise PermissionDenied(scoping.write_block_reason(user, school=locked.school, year=locked.year))
        region_reason = scoping.region_block_reason(user, school=locked.school)
        if region_reason:
            raise PermissionDenied(region_reason)
        if locked.status not in sources:
            raise ValidationError(
                _("当前状态为“%(status)s”，不能执行“%(action)s”。页面可能已过期，请刷新。")
                % {"status": locked.get_status_display(), "action": WorkflowEvent.Action(action).label}
            )
        now = timezone.now()
        locked.status = target
        if action == WorkflowEvent.Action.SUBMIT:
            locked.submitted_at, locked.submitted_by = now, user
            locked.returned_reason = ""
        else:
            locked.reviewed_at, locked.reviewed_by = now, user
            if action == WorkflowEvent.Action.RETURN:
                locked.returned_reason = reason
        locked.save()
        WorkflowEvent.objects.create(
            year_id=locked.year_id, school_id=locked.school_id, action=action, actor=user, reason=reason
        )
    return locked


def submit_errors(submission: Submission) -> list[str]:
    """Everything that stops ``submission`` from being submitted, in the user's words."""
    errors = []
    if submission.staff_count is None or submission.student_count is None:
        errors.append(str(SUBMISSION_COUNTS_REQUIRED.message))
    every = modules.all_modules()
    counts = modules.counts(submission.year_id, [submission.school_id], [m for m in every if m.required])
    for module in every:
        if module.required and not counts[module.key].get(submission.school_id):
            errors.append(_("“%(module)s”尚未填写任何数据。") % {"module": module.title})
        if module.submit_errors is not None:
            errors.extend(module.submit_errors(submission))
    return errors


def submission_submit(*, user, submission: Submission) -> Submission:
    if not (user.is_principal or user.is_bureau) or not scoping.can_read(user, submission):
        raise PermissionDenied(_("您不能上报这所学校的数据。"))
    errors = submit_errors(submission)
    if errors:
        raise ValidationError(errors)
    return _transition(user=user, submission=submission, action=WorkflowEvent.Action.SUBMIT)


def submission_approve(*, user, submission: Submission) -> Submission:
    if not user.can_approve:
        raise PermissionDenied(scoping.approver_refusal(user) or _("只有勤工办主任可以审核。"))
    return _transition(user=user, submission=submission, action=WorkflowEvent.Action.APPROVE)


def submission_return(*, user, submission: Submission, reason: str) -> Submission:
    if not user.can_approve:
        raise PermissionDenied(scoping.approver_refusal(user) or _("只有勤工办主任可以退回。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("退回时请写明原因，学校将看到这段说明。"))
    with transaction.atomic():
        returned = _transition(user=user, submission=submission, action=WorkflowEvent.Action.RETURN, reason=reason)
        # The school's notice (kept, and e-mailed once the return is committed) goes with the return.
        _reminders_create(
            user=user, year=returned.year, kind=Reminder.Kind.RETURNED, message=reason,
            schools=[returned.school],
        )
    return returned


@dataclass
class ApprovalFailure:
    submission: Submission
    reason: str


def submissions_approve(*, user, submissions) -> tuple[list[Submission], list[ApprovalFailure]]:
    """Approve each of ``submissions`` through :func:`submission_approve`, each school in its
    own transaction: a school that cannot be approved (its state changed meanwhile, the year
    was locked) is reported with the reason and leaves the others approved.
    Returns (approved, failures)."""
    if not user.can_approve:
        raise PermissionDenied(scoping.approver_refusal(user) or _("只有勤工办主任可以审核。"))
    approved, failures = [], []
    for submission in submissions:
        try:
            approved.append(submission_approve(user=user, submission=submission))
        except (PermissionDenied, ValidationError, ConcurrentEditError) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            failures.append(ApprovalFailure(submission=submission, reason=text))
    return approved, failures


# Deadlines and reminders ----------------------------------------------------------------


def year_set_deadline(*, user, year: ReportingYear, deadline: datetime.date | None) -> ReportingYear:
    """Set (or, with None, clear) the date the director's county's schools should have submitted
    ``year`` by: the year's own date when the county holds every school of the year, else the
    county's (:class:`CountyDeadline`), which the other counties' schools never see."""
    if not user.can_approve:
        raise PermissionDenied(scoping.approver_refusal(user) or _("只有勤工办主任可以设置填报截止日期。"))
    county = user.region
    with transaction.atomic():
        locked = ReportingYear.objects.select_for_update().get(pk=year.pk)
        if locks.is_locked(locked, county):
            raise ValidationError(_("%(year)s 年度已锁定，不能修改截止日期。") % {"year": locked.year})
        if deadline is not None and deadline < datetime.date(locked.year, 1, 1):
            raise ValidationError(
                _("截止日期不能早于 %(year)s 年 1 月 1 日（%(year)s 年度的第一天）。") % {"year": locked.year}
            )
        if locks.counties_of_year(locked) <= {county.pk}:
            CountyDeadline.objects.filter(year=locked, county=county).delete()
            locked.deadline = deadline
            locked.save(update_fields=["deadline"])
        else:
            CountyDeadline.objects.update_or_create(year=locked, county=county, defaults={"deadline": deadline})
    return locked


def deadline_of(year: ReportingYear, county=None) -> datetime.date | None:
    """The date ``county``'s schools should have submitted ``year`` by (the year's own when the
    county has none of its own, or for no county)."""
    if county is not None:
        own = _county_deadline.first(year.pk, getattr(county, "pk", county))
        if own is not None:
            return own
    return year.deadline


@prepared(int, int)
def _county_deadline(year: int, county_id: int):
    return CountyDeadline.objects.filter(year_id=year, county_id=county_id).order_by("pk").values_list(
        "deadline", flat=True)[:1]


def deadline_status(year: ReportingYear, today: datetime.date | None = None, county=None) -> dict | None:
    """The deadline of ``year`` for ``county``'s schools (:func:`deadline_of`) and how far it is:
    ``{"date", "days_left", "days_late"}`` (one of the two counts is 0), or None when there is none."""
    deadline = deadline_of(year, county) if year is not None else None
    if deadline is None:
        return None
    today = today or timezone.localdate()
    delta = (deadline - today).days
    return {"date": deadline, "days_left": max(delta, 0), "days_late": max(-delta, 0)}


def unsubmitted(year: ReportingYear, user=None):
    """The year's returns of active schools that have not been submitted (填报中 or 已退回);
    with ``user``, of the schools that user reads (their region's)."""
    qs = Submission.objects.filter(year=year, school__active=True, status__in=PRINCIPAL_EDITABLE_STATES)
    if user is not None:
        qs = scoping.visible(user, qs)
    return qs.select_related("school").order_by("school__code")


def default_reminder_text(year: ReportingYear, county=None) -> str:
    """The 催报 text offered to ``county``'s staff, in the portal's language (the schools read it)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _default_reminder_text(year, deadline_of(year, county))


def _default_reminder_text(year: ReportingYear, deadline: datetime.date | None) -> str:
    if deadline:
        return _(
            "贵校 %(year)s 年度勤工俭学数据尚未上报。填报截止日期为 %(deadline)s，请尽快登录平台完成填报并上报。"
        ) % {"year": year.year, "deadline": deadline.isoformat()}
    return _("贵校 %(year)s 年度勤工俭学数据尚未上报，请尽快登录平台完成填报并上报。") % {"year": year.year}


def reminders_send(*, user, year: ReportingYear, message: str) -> list[Reminder]:
    """催报: one :class:`Reminder` for every school of ``year`` that has not submitted, and an
    e-mail to each such school's principal(s) with an address (sent once committed)."""
    if not user.is_bureau:
        raise PermissionDenied(_("只有勤工办工作人员可以催报。"))
    reason = scoping.region_block_reason(user)
    if reason:
        raise PermissionDenied(reason)
    message = (message or "").strip()
    if not message:
        raise ValidationError(_("请填写催报内容，学校将看到这段文字。"))
    with transaction.atomic():
        locked = ReportingYear.objects.select_for_update().get(pk=year.pk)
        if locks.is_locked(locked, user.region_id):
            raise ValidationError(_("%(year)s 年度已锁定，无需催报。") % {"year": locked.year})
        schools = [s.school for s in unsubmitted(locked, user)]
        if not schools:
            raise ValidationError(_("%(year)s 年度所有学校均已上报，无需催报。") % {"year": locked.year})
        return _reminders_create(user=user, year=locked, kind=Reminder.Kind.REMIND, message=message, schools=schools)


def principal_addresses(school_ids) -> dict[int, list[str]]:
    """``{school id: [e-mail, ...]}`` of the active principals of those schools who have one."""
    addresses: dict[int, list[str]] = {}
    ids = list(school_ids)
    for start in range(0, len(ids), 500):  # a province's schools in chunks (SQLite's parameter limit)
        principals = get_user_model().objects.filter(
            role=Role.PRINCIPAL, is_active=True, school_id__in=ids[start:start + 500]
        ).exclude(email="").order_by("pk")
        for school_id, email in principals.values_list("school_id", "email"):
            addresses.setdefault(school_id, []).append(email)
    return addresses


def _reminders_create(*, user, year: ReportingYear, kind: str, message: str, schools) -> list[Reminder]:
    """Keep one reminder per school and e-mail the principals when the transaction commits."""
    addresses = principal_addresses(s.pk for s in schools)
    reminders = Reminder.objects.bulk_create([
        Reminder(year=year, school=school, kind=kind, message=message, sent_by=user,
                 emailed_to=", ".join(addresses.get(school.pk, [])))
        for school in schools
    ], batch_size=500)
    mails = []
    for school in schools:
        if addresses.get(school.pk):
            subject, body = _mail_text(kind=kind, year=year, school=school, message=message)
            mails.append((subject, body, settings.DEFAULT_FROM_EMAIL, addresses[school.pk]))
    if mails:
        transaction.on_commit(lambda: _send(mails))
    return reminders


def _mail_text(*, kind: str, year: ReportingYear, school: School, message: str) -> tuple[str, str]:
    # In the portal's language, whichever language the sender's page was in.
    with translation.override(settings.LANGUAGE_CODE):
        return _mail_text_now(kind=kind, year=year, school=school, message=message)


def _mail_text_now(*, kind: str, year: ReportingYear, school: School, message: str) -> tuple[str, str]:
    bureau = school.county.bureau_name()
    if kind == Reminder.Kind.RETURNED:
        subject = _("【退回通知】%(year)s 年度勤工俭学填报") % {"year": year.year}
        body = _("%(school)s：\n\n%(bureau)s勤工办退回了贵校 %(year)s 年度的填报，原因：\n%(message)s\n\n"
                 "请登录平台修改后重新上报。") % {"school": school.name, "bureau": bureau, "year": year.year,
                                                   "message": message}
    else:
        subject = _("【催报】%(year)s 年度勤工俭学填报") % {"year": year.year}
        body = _("%(school)s：\n\n%(message)s\n\n%(bureau)s勤工办") % {
            "school": school.name, "message": message, "bureau": bureau}
    return subject, body


def _send(mails) -> None:
    # After the commit: the reminders are kept whatever the mail server says; a failure is logged.
    try:
        send_mass_mail(mails, fail_silently=False)
    except Exception:  # noqa: BLE001 - any mail server failure must not undo the committed reminders
        logger.exception("sending %s reminder e-mail(s) failed", len(mails))


def next_year_to_open() -> int | None:
    """The only year staff may open: the one after the newest existing year (None when no
    year exists yet; then any year from 2000 to next calendar year may start the portal)."""
    latest = ReportingYear.objects.order_by("-year").values_list("year", flat=True).first()
    return latest + 1 if latest is not None else None


def year_create(*, user, year: int) -> ReportingYear:
    """Open ``year``: only the year after the newest (or, on an empty portal, any year up
    to next calendar year), with a blank return for every active school."""
    if not user.can_approve:
        raise PermissionDenied(scoping.approver_refusal(user) or _("只有勤工办主任可以新建统计年度。"))
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError(_("年度须为四位数字的年份，例如 %(year)s。") % {"year": timezone.localdate().year}) from None
    with transaction.atomic():
        # Two directors confirming at once: the second waits here and then sees the first's year.
        list(ReportingYear.objects.select_for_update().order_by("-year")[:1])
        expected = next_year_to_open()
        if ReportingYear.objects.filter(pk=year).exists():
            raise ValidationError(_("%(year)s 年度已经开放，无需再次开放。") % {"year": year})
        if expected is None:
            latest_allowed = timezone.localdate().year + 1
            if not 2000 <= year <= latest_allowed:
                raise ValidationError(
                    _("年度须在 2000 至 %(last)s 之间。") % {"last": latest_allowed}
                )
        elif year != expected:
            raise ValidationError(
                _("只能开放最新年度的下一年（%(expected)s 年度），不能开放 %(year)s 年度。")
                % {"expected": expected, "year": year}
            )
        reporting_year = ReportingYear.objects.create(year=year)
        Submission.objects.bulk_create(
            [
                Submission(school=school, year=reporting_year, staff_count=None, student_count=None)
                for school in School.objects.filter(active=True)
            ]
        )
    return reporting_year


def year_delete_block_reason(year: ReportingYear) -> str | None:
    """Why ``year`` cannot be deleted (None: it holds no data and may be)."""
    if locks.shared_locked(year):
        return _("%(year)s 年度已锁定，不能删除。") % {"year": year.year}
    references = scoping.year_references(year)
    if references:
        return _("%(year)s 年度已有数据（%(what)s），不能删除。请先删除这些数据，或保留该年度。") % {
            "year": year.year,
            "what": _("，").join(_("%(kind)s %(count)s 条") % {"kind": kind, "count": count} for kind, count in references),
        }
    return None


def year_delete(*, user, year: ReportingYear) -> None:
    """Delete a year opened by mistake: only while nothing but its blank returns refers to it."""
    if not user.can_approve:
        raise PermissionDenied(scoping.approver_refusal(user) or _("只有勤工办主任可以删除统计年度。"))
    with transaction.atomic():
        locked = ReportingYear.objects.select_for_update().filter(pk=year.pk).first()
        if locked is None:
            raise ValidationError(_("%(year)s 年度不存在或已被删除。") % {"year": year.pk})
        reason = year_delete_block_reason(locked)
        if reason:
            raise ValidationError(reason)
        Submission.objects.filter(year=locked).delete()  # blank returns only (checked above)
        ImportUpload.objects.filter(year=locked).delete()
        locked.delete()


def year_reopen_with_schools(*, user, year: ReportingYear, reason: str, schools) -> tuple[ReportingYear, list[Submission]]:
    """Reopen a locked year and give the chosen schools' returns back to them.

    ``schools`` is ``"all"`` or an iterable of school ids. Each chosen return that was
    submitted or approved becomes 已退回 with ``reason`` (the school sees it), and a
    流程记录 “重新开放学校填报” is kept for it. All in one transaction with the reopening.
    Returns the year and the returns given back.
    """
    if not user.can_approve:
        raise PermissionDenied(scoping.approver_refusal(user) or _("只有勤工办主任可以重新开放年度。"))
    reason = (reason or "").strip()
    with transaction.atomic():
        reopened = year_reopen(user=user, year=year, reason=reason)
        pending = scoping.visible(user, Submission.objects.filter(year=reopened)).exclude(
            status__in=PRINCIPAL_EDITABLE_STATES
        )
        if schools != "all":
            pending = pending.filter(school_id__in=[int(pk) for pk in schools])
        given_back = []
        now = timezone.now()
        for submission in pending.select_for_update().select_related("school").order_by("school__code"):
            submission.status = SubmissionStatus.RETURNED
            submission.returned_reason = reason
            submission.reviewed_at, submission.reviewed_by = now, user
            submission.save()
            WorkflowEvent.objects.create(
                year=reopened, school_id=submission.school_id, action=WorkflowEvent.Action.REOPEN_SCHOOL,
                actor=user, reason=reason,
            )
            given_back.append(submission)
    return reopened, given_back


def year_lock_block_reason(year: ReportingYear, county=None) -> str | None:
    """Why ``county`` (a Region or id; None: every county) cannot lock ``year`` now (None: it
    may): already locked, or its schools whose returns are not approved (the first five named,
    and their count). The 年度 page shows it in place of the button; :func:`year_lock` refuses
    with it."""
    if locks.is_locked(year, county):
        return _("%(year)s 年度已经锁定。") % {"year": year.year}
    pending = Submission.objects.filter(year=year, school__active=True)
    if county is not None:
        pending = pending.filter(school__county_id=getattr(county, "pk", county))
    pending = (
        pending
        .exclude(status=SubmissionStatus.APPROVED)
        .select_related("school")
        .order_by("school__code")
    )
    names = [s.school.name for s in pending[:5]]
    if not names:
        return None
    count = pending.count()
    return _("还有 %(count)s 所学校的填报未审核通过（%(names)s%(more)s），不能锁定。") % {
        "count": count, "names": _("、").join(names), "more": _(" 等") if count > len(names) else ""}


def year_lock(*, user, year: ReportingYear, at: datetime.datetime | None = None) -> ReportingYear:
    """Lock ``year`` for the director's county (``at``: when, default now; the demo's past years
    were locked the January after); the year itself is locked once every county with schools in
    it has. Returns the year as the county sees it (:func:`locks.for_county`)."""
    if not user.can_approve:
        raise PermissionDenied(scoping.approver_refusal(user) or _("只有勤工办主任可以锁定年度。"))
    county = user.region
    with transaction.atomic():
        locked = ReportingYear.objects.select_for_update().get(pk=year.pk)
        reason = year_lock_block_reason(locked, county)
        if reason:
            raise ValidationError(reason)
        now = at or timezone.now()
        CountyLock.objects.create(year=locked, county=county, locked_by=user, locked_at=now)
        locked.county_locked, locked._county_locks = True, None
        whole = not locks.unlocked_counties(locked)
        if whole:
            locked.status = ReportingYear.Status.LOCKED
            locked.locked_by, locked.locked_at = user, now
        locked.data_version += 1
        locked.save()
        WorkflowEvent.objects.create(year=locked, county=county, action=WorkflowEvent.Action.LOCK, actor=user)
        # Inside the transaction: what the lock does to the year's documents (reports keeps the
        # summary and issues the PDFs) happens with it or, if it fails, not at all.
        seen = locks.for_county(locked, county)
        year_locked.send(sender=ReportingYear, year=seen, user=user, county=county, whole=whole)
    return seen


def year_reopen(*, user, year: ReportingYear, reason: str) -> ReportingYear:
    if not user.can_approve:
        raise PermissionDenied(scoping.approver_refusal(user) or _("只有勤工办主任可以重新开放年度。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("重新开放年度须写明原因，该原因会记入流程记录。"))
    county = user.region
    with transaction.atomic():
        locked = ReportingYear.objects.select_for_update().get(pk=year.pk)
        if not locks.is_locked(locked, county):
            raise ValidationError(_("%(year)s 年度未锁定，无需重新开放。") % {"year": locked.year})
        was_whole = locked.is_locked
        if was_whole:
            # The other counties stay locked, each by its own lock (as of the year's lock when
            # they had none: locked together before counties locked one by one).
            kept = set(locks.county_locks(locked))
            CountyLock.objects.bulk_create([
                CountyLock(year=locked, county_id=other, locked_by=locked.locked_by,
                           locked_at=locked.locked_at or timezone.now())
                for other in sorted(locks.counties_of_year(locked) - kept - {county.pk})
            ])
            locked.status = ReportingYear.Status.OPEN
            locked.locked_by, locked.locked_at = None, None
        CountyLock.objects.filter(year=locked, county=county).delete()
        locked._county_locks = None
        locked.county_locked = CountyLock.objects.filter(year=locked).exists()
        locked.data_version += 1
        locked.save()
        WorkflowEvent.objects.create(year=locked, county=county, action=WorkflowEvent.Action.REOPEN, actor=user,
                                     reason=reason)
        year_reopened.send(sender=ReportingYear, year=locked, user=user, county=county, was_whole=was_whole)
    return locked

