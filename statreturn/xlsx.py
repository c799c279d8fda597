"""The return as an .xlsx: sheets 基本情况 and 收益及分配 (代码, 指标名称, 计量单位, 数值), and
数据来源, which lists for every figure the rows it came from with a link to each row's page.
Written by the portal's own writer (:mod:`workstudy.xlsx_writer`), in Chinese whatever the
page's language: it is the form handed to the Ministry."""

from __future__ import annotations

import io
from collections.abc import Callable

from django.utils import translation

from workstudy.xlsx_writer import Sheet, write_xlsx

from .builder import SOURCES, StatReturn

HEADER = ["代码", "指标名称", "计量单位", "数值"]
SOURCE_HEADER = ["代码", "指标名称", "数值", "来源", "记录", "计入数值", "链接"]
INDENT = "　　"


def shown_label(line) -> str:
    return f"{INDENT * line.level}{line.label}"


def workbook(result: StatReturn, *, link: Callable[[str], str] = str) -> bytes:
    """The .xlsx of ``result`` (built in Chinese: build it under ``translation.override("zh-hans")``);
    ``link`` makes a page's path a full address."""
    note = [("", f"{result.year} 年度；{result.scope}", "", "")]
    sheets = [
        Sheet(sheet.title, HEADER, [*[(line.code, shown_label(line), line.unit, line.value) for line in sheet.lines], *note])
        for sheet in result.sheets
    ]
    rows = []
    for line in result.lines():
        if not line.sources:
            rows.append((line.code, line.label, line.value, "（无）", "", "", ""))
        for source in line.sources:
            rows.append(
                (
                    line.code,
                    line.label,
                    line.value,
                    source.kind,
                    source.label,
                    source.value,
                    link(source.url) if source.url else "",
                )
            )
    sheets.append(Sheet(SOURCES, SOURCE_HEADER, rows))
    buffer = io.BytesIO()
    with translation.override("zh-hans"):
        write_xlsx(buffer, sheets)
    return buffer.getvalue()
