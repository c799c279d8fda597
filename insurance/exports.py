"""Claim exports: rows as plain values (personal data masked), one renderer per format."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator

from django.http import FileResponse

from workstudy.xlsx_writer import CONTENT_TYPE, Sheet, write_xlsx

from .models import Claim

CLAIM_COLUMNS = [
    "案件编号",
    "学校",
    "险种",
    "保单号",
    "出险对象",
    "受伤人员",
    "身份证号",
    "出险日期",
    "出险地点",
    "事故类型",
    "出险经过",
    "受伤人次",
    "申请金额（元）",
    "核定金额（元）",
    "赔付金额（元）",
    "状态",
    "报案日期",
    "赔付日期",
    "拒赔原因",
]


def claim_rows(claims: Iterable[Claim]) -> Iterator[list]:
    for c in claims:
        yield [
            c.claim_no,
            c.school.name,
            c.policy.get_policy_type_display(),
            c.policy.policy_no,
            c.get_claimant_kind_display(),
            c.masked_name,
            c.masked_id_number,
            c.incident_date,
            c.place,
            c.get_incident_kind_display(),
            c.cause,
            c.persons,
            c.requested_amount,
            c.assessed_amount,
            c.paid_amount,
            c.get_status_display(),
            c.reported_date,
            c.paid_date,
            c.reject_reason,
        ]


def claims_xlsx_response(claims, *, filename: str) -> FileResponse:
    """The claims as one sheet, streamed into a temporary file (memory stays flat at any
    number of claims); formula-like text is escaped by the writer."""
    target = tempfile.TemporaryFile()
    write_xlsx(target, [Sheet("理赔案件", CLAIM_COLUMNS, claim_rows(claims.iterator(chunk_size=2000)))])
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=filename,
                        content_type=CONTENT_TYPE)
