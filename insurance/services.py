"""Writes with logic: finding the policy that covers an incident, and moving a claim
through its steps. The claim workflow is defined in ONE table, :data:`CLAIM_STEPS`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workstudy import scoping
from workstudy.models import ReportingYear

from . import rules as R
from .models import (
    Claim,
    ClaimDocument,
    ClaimFile,
    ClaimStatus,
    DocumentType,
    InsurancePolicy,
    PolicyType,
    check_claim_upload,
    clean_file_name,
    missing_documents,
)

S = ClaimStatus


@dataclass(frozen=True)
class Step:
    sources: tuple[str, ...]
    date_field: str
    label: str


# The claim workflow: target status -> (statuses it may come from, the date it stamps, button label).
# 已报案 -> 材料齐全 -> 审核中 -> 已赔付; 拒赔 from any open step (with a reason).
CLAIM_STEPS: dict[str, Step] = {
    S.DOCS_COMPLETE: Step((S.REPORTED,), "documents_date", gettext_lazy("确认材料齐全")),
    S.REVIEWING: Step((S.DOCS_COMPLETE,), "review_date", gettext_lazy("提交保险公司审核")),
    S.PAID: Step((S.REVIEWING,), "paid_date", gettext_lazy("登记赔付")),
    S.REJECTED: Step((S.REPORTED, S.DOCS_COMPLETE, S.REVIEWING), "rejected_date", gettext_lazy("拒赔")),
}

# Ordered steps for the progress display on the claim page.
STEP_ORDER = [
    (S.REPORTED, "reported_date"),
    (S.DOCS_COMPLETE, "documents_date"),
    (S.REVIEWING, "review_date"),
    (S.PAID, "paid_date"),
]

STAFF_ONLY_MESSAGE = gettext_lazy("理赔状态、核定金额和赔付金额由勤工办填写，学校不能修改。")


def find_policy(*, school, policy_type: str, incident_date: datetime.date) -> InsurancePolicy | None:
    """The policy covering ``school`` for ``policy_type`` on ``incident_date``.

    The school's own policy wins over a county-wide one (school empty)."""
    from django.db.models import Q

    return (
        InsurancePolicy.objects.filter(
            policy_type=policy_type, coverage_start__lte=incident_date, coverage_end__gte=incident_date
        )
        .filter(Q(school=school) | Q(school__isnull=True))
        .order_by(F("school_id").desc(nulls_last=True), "-coverage_start")
        .first()
    )


def no_policy_error(*, school, policy_type: str, incident_date) -> ValidationError:
    return R.RULE_ACTIVE_POLICY.error(None, school=school, date=incident_date, type=PolicyType(policy_type).label)


def allowed_claim_steps(user, claim: Claim) -> list[tuple[str, str]]:
    """(status, label) of the steps ``user`` may take on ``claim`` now, for buttons."""
    if not user.is_bureau or not scoping.can_write(user, claim):
        return []
    return [(target, str(step.label)) for target, step in CLAIM_STEPS.items() if claim.status in step.sources]


def claim_can_edit_reason(user, claim: Claim) -> str | None:
    """Why ``user`` may not edit the claim's report fields (None = may)."""
    reason = scoping.obj_write_block_reason(user, claim)
    if reason:
        return reason
    if user.is_principal and claim.status != S.REPORTED:
        return _("案件已进入理赔流程（%(status)s），如需更正请联系勤工办。") % {"status": claim.get_status_display()}
    return None


def claim_advance(
    *,
    user,
    claim: Claim,
    to_status: str,
    on_date: datetime.date | None = None,
    assessed_amount: Decimal | None = None,
    paid_amount: Decimal | None = None,
    reason: str = "",
) -> Claim:
    """Move ``claim`` to ``to_status`` (staff only), stamping the step's date.

    Locks the row (``select_for_update``) so two clerks acting at once end in one state.
    Raises ``PermissionDenied`` (not staff, locked year) or ``ValidationError`` (illegal
    step, missing documents, amounts over a limit, ...)."""
    if not user.is_bureau:
        raise PermissionDenied(STAFF_ONLY_MESSAGE)
    step = CLAIM_STEPS.get(to_status)
    if step is None:
        raise ValidationError(_("未知的理赔状态。"))
    with transaction.atomic():
        # The claim's row only (over the join, FOR UPDATE also locked the school and year rows,
        # which a year being locked holds and refers to), then its year as it is once no lock of
        # it is under way: a claim never moves in a year locked meanwhile.
        locked = Claim.objects.select_for_update(of=("self",)).select_related("policy", "school", "year").get(pk=claim.pk)
        locked.year = ReportingYear.objects.select_for_update().get(pk=locked.year_id)
        scoping.check_obj_write(user, locked)
        if locked.status not in step.sources:
            R.RULE_CLAIM_TRANSITION.fail(None, current=locked.get_status_display(), target=S(to_status).label)
        if to_status == S.DOCS_COMPLETE:
            missing = missing_documents(locked)
            R.RULE_DOCUMENTS.check(not missing, None, missing="、".join(missing))
        setattr(locked, step.date_field, on_date or timezone.localdate())
        if assessed_amount is not None:
            locked.assessed_amount = assessed_amount
        if to_status == S.PAID:
            R.RULE_PAID_COMPLETE.check(paid_amount is not None, "paid_amount")
            locked.paid_amount = paid_amount
        if to_status == S.REJECTED:
            locked.reject_reason = (reason or "").strip()
        locked.status = to_status
        locked.full_clean()
        locked.save()
    claim.refresh_from_db()
    return locked


def claim_set_document(*, user, claim: Claim, doc_type: str, received: bool, note: str = "") -> ClaimDocument:
    """Tick a document of the claim's checklist. Principals only while the claim is 已报案."""
    reason = claim_can_edit_reason(user, claim)
    if reason:
        raise PermissionDenied(reason)
    with transaction.atomic():
        document = ClaimDocument.objects.select_for_update().filter(claim=claim, doc_type=doc_type).first()
        if document is None:
            document = ClaimDocument(claim=claim, doc_type=doc_type)
        document.received = received
        document.note = note
        document.full_clean()
        document.save()
    return document


def _check_claim_editable(user, claim: Claim) -> None:
    """:func:`claim_can_edit_reason`, asked with the claim's year row locked (as
    :func:`claim_advance` does), so no file is added to or taken from a year being locked
    meanwhile. Call inside a transaction."""
    claim.year = ReportingYear.objects.select_for_update().get(pk=claim.year_id)
    reason = claim_can_edit_reason(user, claim)
    if reason:
        raise PermissionDenied(reason)


def claim_add_files(*, user, claim: Claim, doc_type: str, uploads) -> list[ClaimFile]:
    """Attach uploaded scans or photos to one document of ``claim`` (whoever may edit the claim).

    Every file is checked first (JPEG, PNG or PDF by its content, not empty, at most 10 MB);
    one bad file refuses them all with a ``ValidationError`` naming each bad file. Raises
    ``PermissionDenied`` with the reason when the claim may not be edited (locked year,
    submitted school, claim already in process for a principal)."""
    reason = claim_can_edit_reason(user, claim)
    if reason:
        raise PermissionDenied(reason)
    if doc_type not in DocumentType.values:
        raise ValidationError(_("请选择材料类型。"))
    uploads = list(uploads)
    if not uploads:
        raise ValidationError(_("请选择要上传的文件。"))
    checked, errors = [], []
    for upload in uploads:
        try:
            checked.append((upload, check_claim_upload(upload)))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    stored: list[tuple] = []  # (storage, name) written so far: storage writes are not rolled back
    try:
        with transaction.atomic():
            _check_claim_editable(user, claim)
            created = []
            for upload, content_type in checked:
                item = ClaimFile(
                    claim=claim,
                    doc_type=doc_type,
                    original_name=clean_file_name(upload.name, content_type),
                    size=upload.size,
                    content_type=content_type,
                    uploaded_by=user,
                )
                item.file.save(item.original_name, upload, save=False)
                stored.append((item.file.storage, item.file.name))
                item.full_clean()
                item.save()
                created.append(item)
    except BaseException:
        for storage, name in stored:
            storage.delete(name)
        raise
    return created


def claim_delete_file(*, user, claim: Claim, claim_file: ClaimFile) -> None:
    """Remove one file of ``claim`` (whoever may edit the claim); its stored bytes go once the
    deletion is committed. Raises ``PermissionDenied`` with the reason otherwise."""
    if claim_file.claim_id != claim.pk:
        raise ValidationError(_("该文件不属于此案件。"))
    reason = claim_can_edit_reason(user, claim)
    if reason:
        raise PermissionDenied(reason)
    storage, name = claim_file.file.storage, claim_file.file.name
    with transaction.atomic():
        _check_claim_editable(user, claim)
        claim_file.delete()
        transaction.on_commit(lambda: storage.delete(name))
