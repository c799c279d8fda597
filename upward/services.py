"""The reports' workflow: every move of a :class:`~upward.models.RegionSubmission` goes
through :func:`act`, which locks the report's row (``select_for_update``), checks the move
against :data:`TRANSITIONS`, freezes what a submission sends and records the move.

Rules besides the table:

* a province reports to no one;
* a level that has sent its own report up (已上报 or 已审核) no longer approves or returns its
  counties' reports: what it sent would change under the province. The province returns it first;
* a county may report while some of its schools' returns are not approved (a city while some
  of its counties' reports are not): the number is shown before the submission, kept with the
  report and shown to the level above.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workstudy import scoping
from workstudy.models import Region, ReportingYear

from . import snapshot
from .models import RegionSubmission, RegionSubmissionEvent

S = RegionSubmission.Status
A = RegionSubmissionEvent.Action


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str
    by_parent: bool  # who acts: a director of the region itself (False) or of the region above (True)
    needs_reason: bool = False


# The workflow: action -> where it may start, where it leads, which level acts.
TRANSITIONS: dict[str, Transition] = {
    A.SUBMIT: Transition((S.DRAFT, S.RETURNED), S.SUBMITTED, by_parent=False),
    A.APPROVE: Transition((S.SUBMITTED,), S.APPROVED, by_parent=True),
    A.RETURN: Transition((S.SUBMITTED, S.APPROVED), S.RETURNED, by_parent=True, needs_reason=True),
}

# The states of a level's own report in which it may no longer review the reports below it.
SENT_UP = (S.SUBMITTED, S.APPROVED)


def report_for(*, region: Region, year: ReportingYear | int) -> RegionSubmission:
    """``region``'s report for ``year`` (a draft, made on first use)."""
    report, _created = RegionSubmission.objects.get_or_create(region=region, year_id=getattr(year, "pk", year))
    return report


def refusal(user, report: RegionSubmission, action: str) -> str | None:
    """Why ``user`` may not take ``action`` on ``report`` now (None: they may). The answer of
    :func:`act`, without the row lock: for the pages' buttons."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        return _("未知的操作。")
    region = report.region
    if region.level == Region.Level.PROVINCE:
        return _("%(region)s是最高一级，没有上级可以上报。") % {"region": region.name}
    reason = scoping.region_act_block_reason(user, region, from_above=transition.by_parent)
    if reason:
        return reason
    if report.status not in transition.sources:
        return _("当前状态为“%(status)s”，不能执行“%(action)s”。页面可能已过期，请刷新。") % {
            "status": report.get_status_display(), "action": A(action).label,
        }
    if transition.by_parent and region.parent.level != Region.Level.PROVINCE:
        above = RegionSubmission.objects.filter(region_id=region.parent_id, year_id=report.year_id).first()
        if above is not None and above.status in SENT_UP:
            return _(
                "%(parent)s已向上级上报（%(status)s），不能再审核或退回%(region)s的上报；如需更改，请先请上级退回%(parent)s的上报。"
            ) % {"parent": region.parent.name, "status": above.get_status_display(), "region": region.name}
    return None


def allowed_actions(user, report: RegionSubmission) -> list[str]:
    """The actions ``user`` may take on ``report`` now (for buttons)."""
    return [action for action in TRANSITIONS if refusal(user, report, action) is None]


def act(*, user, region: Region, year: ReportingYear | int, action: str, reason: str = "",
        version: int | None = None) -> RegionSubmission:
    """Take ``action`` (submit, approve, return) on ``region``'s report for ``year`` as ``user``.

    ``version``: the report's version the user was shown; a report moved since is refused.
    Raises PermissionDenied (the user may not) or ValidationError (the move is not possible now)
    with a sentence for the user."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError(_("未知的操作。"))
    if region.level == Region.Level.PROVINCE:
        raise ValidationError(_("%(region)s是最高一级，没有上级可以上报。") % {"region": region.name})
    scoped = scoping.region_act_block_reason(user, region, from_above=transition.by_parent)
    if scoped:
        raise PermissionDenied(scoped)  # before anything is written
    reason = (reason or "").strip()
    if transition.needs_reason and not reason:
        raise ValidationError(_("退回时请写明原因，下级将看到这段说明。"))
    year_id = getattr(year, "pk", year)
    if action == A.SUBMIT:
        report_for(region=region, year=year_id)  # the row to lock exists before the transaction
    with transaction.atomic():
        locked = (RegionSubmission.objects.select_for_update(of=("self",)).select_related("region__parent")
                  .filter(region=region, year_id=year_id).first())
        if locked is None:  # never submitted: nothing to review
            raise ValidationError(refusal(user, RegionSubmission(region=region, year_id=year_id), action))
        if version is not None and locked.version != version:
            raise ValidationError(_("这份上报已被他人处理（当前状态为“%(status)s”），请刷新页面后再操作。") % {
                "status": locked.get_status_display()})
        why = refusal(user, locked, action)
        if why:
            raise ValidationError(why)
        now, before = timezone.now(), locked.status
        locked.status = transition.target
        locked.version += 1
        if action == A.SUBMIT:
            frozen = snapshot.freeze(locked.year_id, locked.region)
            locked.figures, locked.parts = frozen["figures"], frozen["parts"]
            locked.fingerprint, locked.data_version = frozen["fingerprint"], frozen["data_version"]
            locked.data_stamp, locked.pending_count = frozen["data_stamp"], frozen["pending_count"]
            locked.submitted_at, locked.submitted_by = now, user
            locked.returned_reason = ""
        else:
            locked.reviewed_at, locked.reviewed_by = now, user
            if action == A.RETURN:
                locked.returned_reason = reason
        locked.save()
        RegionSubmissionEvent.objects.create(
            submission=locked, action=action, from_status=before, to_status=locked.status,
            version=locked.version, actor=user, reason=reason,
        )
    return locked
