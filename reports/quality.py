"""The data-quality workbook: the appendix's two lists in full (the PDF shows the first
:data:`reports.figures.APPENDIX_ROWS` of each)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from workstudy.excel import escape_cell

from .figures import quality_lists


def _sheet(book, title: str, header: list[str], rows):
    sheet = book.create_sheet(title)
    sheet.append([escape_cell(h) for h in header])
    for row in rows:
        sheet.append([escape_cell(str(value)) if isinstance(value, str) else value for value in row])


def quality_workbook(year: int) -> bytes:
    findings, pending = quality_lists(year)
    book = Workbook(write_only=True)
    _sheet(book, _("未审核通过的填报"), [_("学校代码"), _("学校"), _("填报状态")],
           ((p["code"], p["school"], p["status"]) for p in pending))
    _sheet(book, _("未处理的校验提醒"), [_("规则"), _("规则名称"), _("学校"), _("对象"), _("说明")],
           ((f.rule.code, str(f.rule.title), f.school_name or _("全市"), f.obj_label or "", f.message) for f in findings))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
