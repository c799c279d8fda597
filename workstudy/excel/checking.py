"""Reading and checking an uploaded file: the file itself, then every row and column in one pass,
for the preview and the confirmed import."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from import_export import widgets

from .. import xlsx_reader
from ..excel_registry import Registration
from .cells import BAD, INSTRUCTION_SHEETS, MAX_CELL_CHARS, RowIssue, cell_text, clip, is_example_mark
from .resource import PortalResource
from .saving import _Import

# ---------------------------------------------------------------------------
# Reading and checking an uploaded file

FULLWIDTH_RE = re.compile(r"[\uff10-\uff19\uff0e\uff0c\uff0d\uff0b]")
PLAIN_NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")
THOUSANDS_RE = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
TEXT_DATE_RE = re.compile(r"^\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?$")


@dataclass
class ImportReport:
    issues: list[RowIssue]
    total_rows: int = 0
    new: int = 0
    update: int = 0
    preview: list[list] | None = None
    headers: list[str] | None = None
    sheet: str = ""  # the sheet that was read
    other_sheets: list[str] | None = None  # the workbook's other sheets, not read
    examples: list[int] = dataclasses.field(default_factory=list)  # rows marked 示例, left out
    targets: set[tuple] = dataclasses.field(default_factory=set)  # (school pk, year pk) of the rows checked clean

    @property
    def ok(self) -> bool:
        return not self.issues


class FileRejected(Exception):
    def __init__(self, message, sheet: str = "", other_sheets=()):
        super().__init__(message)
        self.sheet = sheet
        self.other_sheets = list(other_sheets)


def _numeric_kind(widget) -> str | None:
    if isinstance(widget, widgets.IntegerWidget):
        return "int"
    if isinstance(widget, (widgets.DecimalWidget, widgets.FloatWidget)):
        return "decimal"
    return None


def _is_date_widget(widget) -> bool:
    return isinstance(widget, (widgets.DateWidget, widgets.DateTimeWidget))


def read_sheet(data: bytes, names=(), skip=()):
    """Open an upload and pick its sheet (:meth:`xlsx_reader.Book.choose`): ``(book, sheet)``."""
    if len(data) > settings.EXCEL_MAX_UPLOAD_BYTES:
        raise FileRejected(_("文件太大（%(size)s MB），单个文件不能超过 %(limit)s MB，请分成几个文件上传。") % {
            "size": round(len(data) / 1024 / 1024, 1), "limit": settings.EXCEL_MAX_UPLOAD_BYTES // 1024 // 1024})
    try:
        book = xlsx_reader.Book(data)
        return book, book.choose(names, skip)
    except xlsx_reader.XlsxError as exc:
        raise FileRejected(str(exc)) from None


def read_rows(data: bytes):
    """Yield the rows of the upload's first visible sheet as tuples of cell values (rows
    without a value left out), as the import reads them."""
    book, sheet = read_sheet(data)
    try:
        for _number, cells in book.rows(sheet):
            width = max(cells)
            yield tuple(cells.get(column) for column in range(1, width + 1))
    except xlsx_reader.XlsxError as exc:
        raise FileRejected(str(exc)) from None
    finally:
        book.close()


def _cell_kind(widget) -> str | None:
    """How check_file reads a column: "int", "decimal", "date", "datetime" or as text (None)."""
    kind = _numeric_kind(widget)
    if kind:
        return kind
    if isinstance(widget, widgets.DateWidget):
        return "date"
    if isinstance(widget, widgets.DateTimeWidget):
        return "datetime"
    return None


def _normalise_cell(raw, data_type, widget, column: str, excel_row: int, issues: list[RowIssue]):
    """Check one cell before the import sees it; return the value to import."""
    if data_type == "f":
        issues.append(RowIssue(excel_row, column, _("是公式“%(f)s”，请复制后“选择性粘贴为数值”再上传。") % {"f": raw}))
        return None
    return _normalise(raw, _cell_kind(widget), column, excel_row, issues)


def _normalise(raw, kind: str | None, column: str, excel_row: int, issues: list[RowIssue]):
    if isinstance(raw, str):
        if raw.startswith("="):
            issues.append(RowIssue(excel_row, column, _("是公式“%(f)s”，请复制后“选择性粘贴为数值”再上传。") % {
                "f": clip(raw, 60)}))
            return None
        if kind is None:
            return raw.strip()
    elif raw is None:
        return ""
    if kind is None:
        return str(int(raw)) if isinstance(raw, float) and raw.is_integer() else raw
    if kind in ("date", "datetime"):
        if isinstance(raw, dt.datetime):
            return raw.date() if kind == "date" else raw
        if isinstance(raw, dt.date):
            return raw
        text = str(raw).strip()
        if not text:
            return ""
        match = TEXT_DATE_RE.match(text)
        if match:
            parts = re.split(r"[-/.年月日]", text)
            try:
                return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
            except ValueError:
                pass
        issues.append(RowIssue(excel_row, column, _("“%(v)s”不是有效日期，请填写如 2024-03-05 的日期。") % {"v": clip(text, 60)}))
        return None
    # A number column.
    if isinstance(raw, bool):
        issues.append(RowIssue(excel_row, column, _("应为数字。")))
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if kind == "int" and not raw.is_integer():
            issues.append(RowIssue(excel_row, column, _("“%(v)s”应为整数。") % {"v": raw}))
            return None
        return int(raw) if kind == "int" else Decimal(repr(raw))
    text = str(raw).strip()
    if not text:
        return ""
    if FULLWIDTH_RE.search(text):
        fixed = unicodedata.normalize("NFKC", text)
        issues.append(RowIssue(excel_row, column, _("“%(v)s”含全角字符，请改为半角数字“%(fixed)s”。") % {
            "v": clip(text, 60), "fixed": clip(fixed, 60)}))
        return None
    if THOUSANDS_RE.match(text):
        issues.append(RowIssue(excel_row, column, _("“%(v)s”带有千位分隔符，请去掉逗号，填写“%(fixed)s”。") % {
            "v": clip(text, 60), "fixed": clip(text.replace(",", ""), 60)}))
        return None
    if text.endswith("万") or text.endswith("万元"):
        issues.append(RowIssue(excel_row, column, _("“%(v)s”带有单位“万”，请换算成元，只填数字（例如 1.2万 填 12000）。") % {
            "v": clip(text, 60)}))
        return None
    if not PLAIN_NUMBER_RE.match(text):
        issues.append(RowIssue(excel_row, column, _("“%(v)s”不是数字。") % {"v": clip(text, 60)}))
        return None
    if kind == "int" and "." in text:
        issues.append(RowIssue(excel_row, column, _("“%(v)s”应为整数。") % {"v": clip(text, 60)}))
        return None
    try:
        return int(text) if kind == "int" else Decimal(text)
    except (InvalidOperation, ValueError):
        issues.append(RowIssue(excel_row, column, _("“%(v)s”不是数字。") % {"v": clip(text, 60)}))
        return None


@dataclass
class CheckedFile:
    header: list[str]
    rows: list[dict]  # per data row: {"__row__": row number, column name: value or BAD}
    issues: list[RowIssue]
    preview: list[list]  # the first PREVIEW_ROWS rows as shown, every cell clipped
    sheet: str
    other_sheets: list[str]
    examples: list[int]  # rows marked as the template's example, left out


PREVIEW_ROWS = 20


def _names_list(names: list[str], limit: int = 10) -> str:
    shown = "、".join(str(clip(name, 30)) for name in names[:limit])
    if len(names) > limit:
        shown += _("等 %(n)s 列") % {"n": len(names)}
    return shown


def sheet_names(registration: Registration) -> tuple[list[str], list[str]]:
    """(names the data sheet may have, names of sheets that are never the data): the
    template's and the export's sheet title in the user's language and the portal's."""
    from django.utils import translation

    titles = {str(registration.title)}
    skip = {*INSTRUCTION_SHEETS, _("填写说明"), _("下拉选项")}
    with translation.override(settings.LANGUAGE_CODE):
        titles.add(str(registration.title))
        skip.update((_("填写说明"), _("下拉选项")))
    names = {cut for title in titles for cut in (title, title[:28], title[:31])}
    return sorted(names), sorted(skip)


def check_file(resource: PortalResource, data: bytes, *, names=(), skip=INSTRUCTION_SHEETS) -> CheckedFile:
    """Read the upload's sheet into row dicts keyed by column name, collecting every problem
    of every cell (a bad cell's value is ``BAD``, its problem in ``issues``)."""
    book, sheet = read_sheet(data, names, skip)
    others = [entry.name for entry in book.sheets if entry is not sheet]
    try:
        return _check_sheet(resource, book, sheet, others)
    except xlsx_reader.XlsxError as exc:
        raise FileRejected(str(exc), sheet.name, others) from None
    except FileRejected as exc:
        raise FileRejected(str(exc), sheet.name, others) from None
    finally:
        book.close()


def _check_sheet(resource: PortalResource, book, sheet, others: list[str]) -> CheckedFile:
    issues: list[RowIssue] = []
    fields_by_column = {field.column_name: field for field in resource.get_import_fields()}
    expected = list(fields_by_column)
    rows_iter = iter(book.rows(sheet))
    header = None
    for _number, cells in rows_iter:
        header = [cell_text(cells.get(column)) for column in range(1, max(cells) + 1)]
        break
    if header is None:
        raise FileRejected(_("文件是空的：第一行应为表头（%(cols)s）。") % {"cols": "、".join(expected)})
    while header and header[-1] == "":
        header.pop()
    book.max_col = len(header)  # cells right of the header are not read
    missing = [c for c in expected if c not in header and c not in resource.optional_columns]
    extra = [c for c in header if c and c not in fields_by_column]
    duplicates = sorted({c for c in header if c and header.count(c) > 1}) if len(header) <= 200 else []
    problems = []
    if missing:
        problems.append(_("缺少列：%(cols)s。") % {"cols": "、".join(missing)})
    if extra:
        problems.append(_("多余的列：%(cols)s（请使用下载的模板，不要增加列）。") % {"cols": _names_list(extra)})
    if duplicates:
        problems.append(_("表头重复：%(cols)s。") % {"cols": _names_list(duplicates)})
    if problems:
        raise FileRejected(" ".join(problems) + " " + _("表头应为：%(cols)s。") % {"cols": "、".join(expected)})
    columns = [
        (position + 1, column, _cell_kind(fields_by_column[column].widget))
        for position, column in enumerate(header) if column
    ]
    limit = settings.EXCEL_MAX_ROWS
    rows: list[dict] = []
    preview: list[list] = []
    examples: list[int] = []
    for number, cells in rows_iter:
        if is_example_mark(cells.get(1)):
            examples.append(number)
            continue
        if not any(position in cells for position, _column, _kind in columns):
            continue  # values only under columns without a header
        if len(rows) >= limit:
            raise FileRejected(_("数据超过 %(limit)s 行，请分成几个文件上传。") % {"limit": limit})
        row = {"__row__": number}
        shown = []
        for position, column, kind in columns:
            raw = cells.get(position)
            if isinstance(raw, str) and len(raw) > MAX_CELL_CHARS:
                issues.append(RowIssue(number, column, _("内容太长（%(n)s 个字符），一个单元格最多 %(max)s 个字符。") % {
                    "n": f"{len(raw):,}", "max": f"{MAX_CELL_CHARS:,}"}))
                value = BAD
            else:
                before = len(issues)
                value = _normalise(raw, kind, column, number, issues)
                if len(issues) > before:
                    value = BAD
            row[column] = value
            if len(preview) < PREVIEW_ROWS:
                shown.append(clip(raw if value is BAD or value is None else value))
        rows.append(row)
        if len(preview) < PREVIEW_ROWS:
            preview.append(shown)
    if not rows and not examples:
        raise FileRejected(_("文件里没有数据行：请在表头下面填写数据。"))
    # Duplicate rows (same natural key twice in one file).
    key_columns = [resource.fields[name].column_name for name in resource.get_import_id_fields() if name in resource.fields]
    if key_columns and all(c in header for c in key_columns):
        seen: dict[tuple, int] = {}
        for row in rows:
            values = [row.get(c, "") for c in key_columns]
            if any(value is BAD for value in values):
                continue
            key = tuple(str(value) for value in values)
            if key in seen:
                issues.append(RowIssue(row["__row__"], "", _("与第 %(other)s 行重复（%(cols)s 相同）。") % {
                    "other": seen[key], "cols": "、".join(key_columns)}))
            else:
                seen[key] = row["__row__"]
    return CheckedFile(header, rows, issues, preview, sheet.name, others, examples)


def _ordered(issues: list[RowIssue], header: list[str]) -> list[RowIssue]:
    """Each problem once, by row, then in the order of the columns (the row's own last)."""
    position = {column: index for index, column in enumerate(header) if column}
    seen, found = set(), []
    for issue in issues:
        key = (issue.row, issue.column, issue.message)
        if key not in seen:
            seen.add(key)
            found.append(issue)
    found.sort(key=lambda issue: (issue.row or 0, position.get(issue.column, len(position))))
    return found


def run_import(registration: Registration, *, user, year, data: bytes, dry_run: bool) -> ImportReport:
    """Check and import ``data``. With ``dry_run`` (the preview) every row is checked and
    nothing is written; otherwise all rows are saved, or none if any row has a problem.
    Every problem of every row and column is reported in one pass: a cell refused when
    the file is read is left out of the rest of its row's checks, which still run."""
    if user.role not in registration.import_roles:
        raise PermissionDenied(_("您的账号不能导入这类数据。"))
    resource = registration.resource_class(user=user, year=year)
    names, skip = sheet_names(registration)
    try:
        checked = check_file(resource, data, names=names, skip=skip)
    except FileRejected as exc:
        return ImportReport(issues=[RowIssue(None, "", str(exc))], sheet=exc.sheet, other_sheets=exc.other_sheets)
    headers = [c for c in checked.header if c]
    report = ImportReport(issues=list(checked.issues), total_rows=len(checked.rows), headers=headers,
                          preview=checked.preview, sheet=checked.sheet, other_sheets=checked.other_sheets,
                          examples=checked.examples)
    if not checked.rows:  # only the template's example row: nothing to check or write
        return report
    with transaction.atomic():
        job = _Import(resource, checked.rows, columns=set(headers))
        job.check()
        report.issues.extend(job.issues())
        report.new, report.update = job.new, job.update
        report.targets = set(job.targets)
        if not report.issues and not dry_run:
            try:
                with transaction.atomic():
                    job.save()
            except Exception as exc:  # noqa: BLE001 - told to the user; nothing is kept
                text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                if job.current_row is not None:
                    report.issues.append(RowIssue(job.current_row, "", text or _("无法导入这一行。")))
                else:
                    report.issues.append(RowIssue(None, "", _("保存时出错，已全部撤销，请核对后重新上传（%(error)s）。") % {
                        "error": text[:200]}))
        report.issues = _ordered(report.issues, checked.header)
        if report.issues or dry_run:
            transaction.set_rollback(True)
    return report
