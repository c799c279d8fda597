"""Workflow services: every change of a submission's or a year's state goes through here.

Each service locks the row it changes (``select_for_update``) inside a transaction, so
two people submitting or approving at once end in one consistent state, and records a
:class:`~workstudy.models.WorkflowEvent`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import modules, scoping
from .models import ReportingYear, School, Submission, SubmissionStatus, WorkflowEvent
from .rules import SUBMISSION_COUNTS_REQUIRED
from .signals import year_locked, year_reopened

S = SubmissionStatus
# The workflow: action -> (states it may start from, state it leads to).
TRANSITIONS = {
    WorkflowEvent.Action.SUBMIT: ((S.DRAFT, S.RETURNED), S.SUBMITTED),
    WorkflowEvent.Action.RETURN: ((S.SUBMITTED, S.APPROVED), S.RETURNED),
    WorkflowEvent.Action.APPROVE: ((S.SUBMITTED,), S.APPROVED),
}


def allowed_actions(user, submission: Submission) -> list[str]:
    """Workflow actions ``user`` may take on ``submission`` now (for buttons)."""
    if submission.year.is_locked or not scoping.can_read(user, submission):
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


def submission_for(*, school: School, year: ReportingYear) -> Submission:
    submission, _created = Submission.objects.get_or_create(school=school, year=year)
    return submission


def _locked(submission: Submission) -> Submission:
    return Submission.objects.select_for_update().select_related("year", "school").get(pk=submission.pk)


def _transition(*, user, submission: Submission, action: str, reason: str = "") -> Submission:
    sources, target = TRANSITIONS[action]
    with transaction.atomic():
        locked = _locked(submission)
        ReportingYear.objects.select_for_update().filter(pk=locked.year_id).first()
        if locked.year.is_locked:
            raise PermissionDenied(scoping.write_block_reason(user, school=locked.school, year=locked.year))
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
    for module in modules.all_modules():
        if module.required and not module.counts(submission.year_id, [submission.school_id]).get(submission.school_id):
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
        raise PermissionDenied(_("只有勤工办主任可以审核。"))
    return _transition(user=user, submission=submission, action=WorkflowEvent.Action.APPROVE)


def submission_return(*, user, submission: Submission, reason: str) -> Submission:
    if not user.can_approve:
        raise PermissionDenied(_("只有勤工办主任可以退回。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("退回时请写明原因，学校将看到这段说明。"))
    return _transition(user=user, submission=submission, action=WorkflowEvent.Action.RETURN, reason=reason)


def year_create(*, user, year: int) -> ReportingYear:
    if not user.can_approve:
        raise PermissionDenied(_("只有勤工办主任可以新建统计年度。"))
    if not 2000 <= int(year) <= 2100:
        raise ValidationError(_("年度须在 2000 至 2100 之间。"))
    with transaction.atomic():
        reporting_year, _created = ReportingYear.objects.get_or_create(year=year)
        existing = set(Submission.objects.filter(year=reporting_year).values_list("school_id", flat=True))
        Submission.objects.bulk_create(
            [
                Submission(school=school, year=reporting_year, staff_count=None, student_count=None)
                for school in School.objects.filter(active=True).exclude(pk__in=existing)
            ]
        )
    return reporting_year


def year_lock(*, user, year: ReportingYear) -> ReportingYear:
    if not user.can_approve:
        raise PermissionDenied(_("只有勤工办主任可以锁定年度。"))
    with transaction.atomic():
        locked = ReportingYear.objects.select_for_update().get(pk=year.pk)
        if locked.is_locked:
            raise ValidationError(_("%(year)s 年度已经锁定。") % {"year": locked.year})
        pending = (
            Submission.objects.filter(year=locked, school__active=True)
            .exclude(status=SubmissionStatus.APPROVED)
            .select_related("school")
            .order_by("school__code")
        )
        names = [s.school.name for s in pending[:5]]
        if names:
            count = pending.count()
            raise ValidationError(
                _("还有 %(count)s 所学校的填报未审核通过（%(names)s%(more)s），不能锁定。")
                % {"count": count, "names": _("、").join(names), "more": _(" 等") if count > len(names) else ""}
            )
        locked.status = ReportingYear.Status.LOCKED
        locked.locked_by, locked.locked_at = user, timezone.now()
        locked.data_version += 1
        locked.save()
        WorkflowEvent.objects.create(year=locked, action=WorkflowEvent.Action.LOCK, actor=user)
    year_locked.send(sender=ReportingYear, year=locked, user=user)
    return locked


def year_reopen(*, user, year: ReportingYear, reason: str) -> ReportingYear:
    if not user.can_approve:
        raise PermissionDenied(_("只有勤工办主任可以重新开放年度。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("重新开放年度须写明原因，该原因会记入流程记录。"))
    with transaction.atomic():
        locked = ReportingYear.objects.select_for_update().get(pk=year.pk)
        if not locked.is_locked:
            raise ValidationError(_("%(year)s 年度未锁定，无需重新开放。") % {"year": locked.year})
        locked.status = ReportingYear.Status.OPEN
        locked.locked_by, locked.locked_at = None, None
        locked.data_version += 1
        locked.save()
        WorkflowEvent.objects.create(year=locked, action=WorkflowEvent.Action.REOPEN, actor=user, reason=reason)
    year_reopened.send(sender=ReportingYear, year=locked, user=user)
    return locked

