"""A streaming .xlsx writer for the portal's downloads: rows in, a workbook out, in one pass.

Every spreadsheet the portal hands out (the Excel export of each data kind, the claims
export, the data-quality workbook) is written here, so the two rules of a download live
in one place:

* text that a spreadsheet would run as a formula (= + - @ tab CR) gets a leading
  apostrophe (:func:`escape_cell`);
* characters XML cannot carry (control characters, lone surrogates) are dropped, and
  a text longer than Excel's 32,767-character cell limit is cut, so the file always opens.

The sheet XML is produced directly, row by row, into a deflated zip member: memory stays
flat whatever the number of rows, and 100,000 rows take a few seconds instead of the
half minute openpyxl's cell-object writer needs. Text is written as inline strings; dates
and times as Excel serial numbers with a date format, numbers (Decimal, int, float) as
numbers; the header row is bold on the portal's red and frozen, and the column widths
follow the header and the first rows. openpyxl (and Excel, LibreOffice, WPS) read the
result like any other workbook.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from xml.sax.saxutils import quoteattr

from django.utils import timezone

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"  # every .xlsx download
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_TEXT = 32_767  # Excel's limit on one cell's text
HEADER_RGB = "FF9B1C1C"  # the portal's red, as the templates' header
WIDTH_SAMPLE_ROWS = 200  # rows looked at to size the columns
FLUSH_ROWS = 1_000  # rows per write to the zip member

_EPOCH = dt.datetime(1899, 12, 30)  # noqa: DTZ001 - Excel's day 0; its times are wall-clock, naive
_EPOCH_DATE = _EPOCH.date()
_SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")
# What needs work in a text cell: XML's three specials, CR (kept as a character
# reference), and what XML 1.0 cannot carry at all (dropped).
# What XML cannot carry is dropped first; the formula guard then looks at the text as it will
# be read (a leading control character used to hide '=' from it), and the markup is escaped last.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_MARKUP = re.compile("[&<>\r]")
_TEXT_REPLACE = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}

STYLE_HEADER, STYLE_DATE, STYLE_DATETIME = 1, 2, 3


def escape_cell(value):
    """Make text that a spreadsheet would treat as a formula inert (after dropping what a cell
    cannot hold, so a leading control character cannot hide a formula)."""
    if isinstance(value, str):
        value = _UNWRITABLE.sub("", value)
        if value.startswith(FORMULA_PREFIXES):
            return "'" + value
    return value


@dataclass
class Sheet:
    """One worksheet: its tab title, its header row, and its rows (any iterable, read once)."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence] = ()
    widths: Sequence[float] | None = field(default=None)  # None: sized from header and first rows


def _text_xml(text: str) -> str:
    text = escape_cell(text)
    if len(text) > MAX_CELL_TEXT:
        text = text[:MAX_CELL_TEXT]
    if _MARKUP.search(text):
        text = _MARKUP.sub(lambda m: _TEXT_REPLACE[m.group()], text)
    return text


def _column_letters(count: int) -> list[str]:
    letters = []
    for index in range(1, count + 1):
        name = ""
        while index:
            index, rest = divmod(index - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


def _serial(value) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = timezone.localtime(value).replace(tzinfo=None)
        delta = value - _EPOCH
        return repr(delta.days + (delta.seconds + delta.microseconds / 1_000_000) / 86_400)
    return str((value - _EPOCH_DATE).days)


def _cell(ref: str, value) -> str:
    """One ``<c>`` element, or '' for an empty cell."""
    kind = type(value)
    if kind is str:
        if not value:
            return ""
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{_text_xml(value)}</t></is></c>'
    if value is None:
        return ""
    if kind is bool:
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if kind is int:
        return f'<c r="{ref}"><v>{value}</v></c>'
    if kind is Decimal or kind is float or isinstance(value, (int, float, Decimal)):
        if (value.is_finite() if isinstance(value, Decimal) else value == value and abs(value) != float("inf")):
            return f'<c r="{ref}"><v>{value}</v></c>'
        return _cell(ref, str(value))
    if isinstance(value, dt.datetime):
        return f'<c r="{ref}" s="{STYLE_DATETIME}"><v>{_serial(value)}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="{STYLE_DATE}"><v>{_serial(value)}</v></c>'
    return _cell(ref, str(value))


def _display_width(value) -> float:
    text = value if isinstance(value, str) else ("0000-00-00 00:00" if isinstance(value, dt.date) else str(value))
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text[:60])


def _widths(header: Sequence[str], sample: list[Sequence]) -> list[float]:
    widths = []
    for index, title in enumerate(header):
        longest = max([_display_width(str(title))] + [
            _display_width(row[index]) for row in sample if index < len(row) and row[index] not in (None, "")])
        widths.append(min(60, max(8, longest + 2)))
    return widths


def _unique_titles(sheets: Sequence[Sheet]) -> list[str]:
    titles, seen = [], set()
    for number, sheet in enumerate(sheets, 1):
        title = _SHEET_TITLE_BAD.sub("_", str(sheet.title)).strip("'").strip()[:31] or f"Sheet{number}"
        candidate, suffix = title, 2
        while candidate.lower() in seen:
            tail = f"({suffix})"
            candidate, suffix = title[:31 - len(tail)] + tail, suffix + 1
        seen.add(candidate.lower())
        titles.append(candidate)
    return titles


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "{sheets}</Types>"
)
_SHEET_TYPE = ('<Override PartName="/xl/worksheets/sheet{n}.xml" '
               'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<bookViews><workbookView/></bookViews><sheets>{sheets}</sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{sheets}'
    '<Relationship Id="rIdStyles" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    "</Relationships>"
)
_SHEET_REL = ('<Relationship Id="rId{n}" '
              'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
              'Target="worksheets/sheet{n}.xml"/>')
# cellXfs: 0 plain, 1 header (bold white on red), 2 date, 3 date and time.
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    f'<fill><patternFill patternType="solid"><fgColor rgb="{HEADER_RGB}"/><bgColor indexed="64"/></patternFill></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheetViews><sheetView workbookViewId="0"{selected}>'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
    '<sheetFormatPr defaultRowHeight="15"/>{cols}<sheetData>'
)
_SHEET_TAIL = "</sheetData></worksheet>"


def _write_sheet(archive: zipfile.ZipFile, number: int, sheet: Sheet) -> int:
    """Stream one sheet into the archive; return the number of data rows written."""
    header = [str(title) for title in sheet.header]
    rows = iter(sheet.rows)
    sample = list(itertools.islice(rows, WIDTH_SAMPLE_ROWS))
    widths = list(sheet.widths) if sheet.widths is not None else _widths(header, sample)
    cols = "".join(f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>' for i, w in enumerate(widths, 1))
    letters = _column_letters(max(len(header), max((len(row) for row in sample), default=0)))
    head_cells = "".join(
        f'<c r="{letter}1" t="inlineStr" s="{STYLE_HEADER}"><is><t xml:space="preserve">{_text_xml(title)}</t></is></c>'
        for letter, title in zip(letters, header, strict=False) if title)
    written = 0
    with archive.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as out:
        out.write(_SHEET_HEAD.format(
            selected=' tabSelected="1"' if number == 1 else "",
            cols=f"<cols>{cols}</cols>" if cols else "").encode())
        out.write(f'<row r="1">{head_cells}</row>'.encode())
        chunk: list[str] = []
        for number_in_sheet, row in enumerate(itertools.chain(sample, rows), 2):
            if len(row) > len(letters):
                letters = _column_letters(len(row))
            chunk.append(f'<row r="{number_in_sheet}">')
            chunk.extend([_cell(f"{letter}{number_in_sheet}", value) for letter, value in zip(letters, row, strict=False)])
            chunk.append("</row>")
            written += 1
            if written % FLUSH_ROWS == 0:
                out.write("".join(chunk).encode())
                chunk = []
        out.write(("".join(chunk) + _SHEET_TAIL).encode())
    return written


def write_xlsx(target, sheets: Sequence[Sheet]) -> int:
    """Write ``sheets`` as one .xlsx into the binary file object ``target``; return the
    number of data rows written. At least one sheet is needed."""
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    titles = _unique_titles(sheets)
    numbers = range(1, len(sheets) + 1)
    total = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES.format(
            sheets="".join(_SHEET_TYPE.format(n=n) for n in numbers)))
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK.format(sheets="".join(
            f'<sheet name={quoteattr(title)} sheetId="{n}" r:id="rId{n}"/>' for n, title in zip(numbers, titles, strict=True))))
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.format(
            sheets="".join(_SHEET_REL.format(n=n) for n in numbers)))
        archive.writestr("xl/styles.xml", _STYLES)
        for number, sheet in zip(numbers, sheets, strict=True):
            total += _write_sheet(archive, number, sheet)
    return total


