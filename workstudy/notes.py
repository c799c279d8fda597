"""Explaining a warning and accepting the explanation.

A principal (or staff for a school) explains an open warning of the school's year while the
school may still change its data; the director accepts an explained warning, or returns the
school with it. Who may write follows the one rule of :mod:`workstudy.scoping` (a note is a row
of the school's year); an explanation changed after its acceptance must be accepted again.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import rules, scoping
from .models import PRINCIPAL_EDITABLE_STATES, Submission, WarningNote

MAX_LENGTH = 2000


def notes_of(year: int, school_id: int) -> dict[str, WarningNote]:
    """The school's notes of ``year`` by warning key (1 query)."""
    return {n.key: n for n in WarningNote.objects.filter(year_id=year, school_id=school_id)
            .select_related("explained_by", "accepted_by")}


def accepted_keys(year: int) -> dict[tuple[int, str], WarningNote]:
    """Every accepted note of ``year`` by (school, key), for the summary's appendix (1 query)."""
    return {(n.school_id, n.key): n for n in WarningNote.objects.filter(year_id=year, accepted_at__isnull=False)}


def split_accepted(year: int, found: list) -> tuple[list, list[tuple]]:
    """``found`` as (the warnings still open, [(warning, note)] for those whose school's
    explanation the director accepted), each in the given order (1 query)."""
    accepted = accepted_keys(year)
    still, explained = [], []
    for f in found:
        note = accepted.get((f.school_id, f.key)) if f.key else None
        if note is None:
            still.append(f)
        else:
            explained.append((f, note))
    return still, explained


def still_open(year: int, found: list) -> list:
    """``found`` without the warnings whose explanation was accepted."""
    return split_accepted(year, found)[0]


def _open_finding(submission: Submission, key: str):
    for finding in rules.findings(submission.year_id, submission.school_id):
        if finding.key == key:
            return finding
    raise ValidationError(_("这条提醒已不存在（数据已经更改），请刷新页面后再看。"))


def explain_block_reason(user, submission: Submission) -> str | None:
    """Why ``user`` may not explain the warnings of ``submission`` (None: they may). The school
    explains while it may change its data; staff may write it for the school then (as they may
    submit for it), not once the school has submitted - then they accept it or return the school."""
    reason = scoping.obj_write_block_reason(
        user, WarningNote(year_id=submission.year_id, school_id=submission.school_id))
    if reason:
        return reason
    if submission.status not in PRINCIPAL_EDITABLE_STATES:
        return _("学校已经上报，说明由学校填写；如需补充，请退回学校。")
    return None


def explain(*, user, submission: Submission, key: str, text: str) -> WarningNote:
    text = (text or "").strip()
    reason = explain_block_reason(user, submission)
    if reason:
        raise PermissionDenied(reason)
    if not text:
        raise ValidationError(_("请写明说明，例如数字变化的原因。"))
    if len(text) > MAX_LENGTH:
        raise ValidationError(_("说明最多 %(max)s 个字，现在有 %(n)s 个字。") % {"max": MAX_LENGTH, "n": len(text)})
    finding = _open_finding(submission, key)
    with transaction.atomic():
        note, _created = WarningNote.objects.select_for_update().get_or_create(
            year_id=submission.year_id, school_id=submission.school_id, key=key,
            defaults={"code": finding.rule.code, "message": finding.message, "explanation": text,
                      "explained_by": user, "explained_at": timezone.now()},
        )
        if note.explanation != text:
            note.explanation, note.explained_by, note.explained_at = text, user, timezone.now()
            note.code, note.message = finding.rule.code, finding.message
            note.accepted_by = note.accepted_at = None  # a new explanation is read again
            note.save()
    return note


def accept(*, user, submission: Submission, key: str) -> WarningNote:
    if not user.can_approve:
        raise PermissionDenied(scoping.approver_refusal(user) or _("只有勤工办主任可以接受学校的说明。"))
    note = WarningNote.objects.filter(year_id=submission.year_id, school_id=submission.school_id, key=key).first()
    if note is None:
        raise ValidationError(_("学校还没有说明这条提醒，不能接受。可以退回学校，请其说明。"))
    reason = scoping.obj_write_block_reason(user, note)
    if reason:
        raise PermissionDenied(reason)
    _open_finding(submission, key)
    if note.accepted_at is None:
        note.accepted_by, note.accepted_at = user, timezone.now()
        note.save(update_fields=["accepted_by", "accepted_at"])
    return note
