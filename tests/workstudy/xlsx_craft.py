"""Hand-made .xlsx files for the upload tests: zipfile + raw XML, so a file can declare
what openpyxl would never write (a huge dimension, a million empty rows, hidden sheets,
broken XML, a zip bomb). ``worst_files()`` are the files the CPU-time test runs."""

from __future__ import annotations

import functools
import io
import random
import string
import zipfile
from xml.sax.saxutils import escape, quoteattr

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEADERS = ["学校", "年度", "教职工人数", "学生人数", "寄宿生人数", "贫困家庭学生人数"]  # the kind "school_counts"


def col_letter(index: int) -> str:
    name = ""
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def cell(ref: str, value) -> str:
    if value is None:
        return f'<c r="{ref}"/>'
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def row_xml(number: int, values) -> str:
    cells = "".join(cell(f"{col_letter(i)}{number}", v) for i, v in enumerate(values, 1) if v is not None)
    return f'<row r="{number}">{cells}</row>'


def sheet_xml(rows_xml, dimension: str | None = None, tail: str = "") -> bytes:
    """A worksheet: ``rows_xml`` is a str or an iterable of str (joined lazily into bytes)."""
    head = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}" xmlns:r="{REL}">'
            + (f'<dimension ref="{dimension}"/>' if dimension else "") + "<sheetData>")
    body = rows_xml if isinstance(rows_xml, str) else "".join(rows_xml)
    return (head + body + "</sheetData>" + tail + "</worksheet>").encode()


def table(rows, headers=HEADERS, start=1) -> str:
    return "".join(row_xml(n, values) for n, values in enumerate([headers, *rows], start))


def book(sheets, shared_strings: bytes | None = None, styles: bytes | None = None,
         compression=zipfile.ZIP_DEFLATED) -> bytes:
    """``sheets``: [(name, sheet_xml bytes, state or None)]; returns the .xlsx bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/>' for n in range(1, len(sheets) + 1))
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
            '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
            f'main+xml"/>{overrides}</Types>'))
        archive.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"))
        entries = "".join(
            f'<sheet name={quoteattr(name)} sheetId="{n}"'
            + (f' state="{state}"' if state else "") + f' r:id="rId{n}"/>'
            for n, (name, _xml, state) in enumerate(sheets, 1))
        archive.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>{entries}'
            "</sheets></workbook>"))
        rels = "".join(f'<Relationship Id="rId{n}" Type="{REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                       for n in range(1, len(sheets) + 1))
        if shared_strings is not None:
            rels += f'<Relationship Id="rIdS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
        if styles is not None:
            rels += f'<Relationship Id="rIdT" Type="{REL}/styles" Target="styles.xml"/>'
        archive.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/relationships">{rels}</Relationships>'))
        for n, (_name, xml, _state) in enumerate(sheets, 1):
            archive.writestr(f"xl/worksheets/sheet{n}.xml", xml)
        if shared_strings is not None:
            archive.writestr("xl/sharedStrings.xml", shared_strings)
        if styles is not None:
            archive.writestr("xl/styles.xml", styles)
    return out.getvalue()


def one_sheet(xml: bytes, name: str = "Sheet1", **kwargs) -> bytes:
    return book([(name, xml, None)], **kwargs)


def good_rows(school="A001", n=1):
    return [[school if i == 0 else f"S{i}", 2024, 10, 100, 0, 1] for i in range(n)]


# ---------------------------------------------------------------------------
# The worst files: small uploads that declare or contain far more than their data.


def huge_dimension() -> bytes:
    """2 KB: declares A1:XFD8192, one data row, and one empty row far down."""
    return one_sheet(sheet_xml(table(good_rows()) + '<row r="8192"/>', dimension="A1:XFD8192"))


def million_rows_declared() -> bytes:
    """Declares A1:XFD1048576 and has an empty cell in the last row and column."""
    return one_sheet(sheet_xml(table(good_rows()) + '<row r="1048576"><c r="XFD1048576"/></row>',
                               dimension="A1:XFD1048576"))


def million_empty_row_elements() -> bytes:
    """A million formatted empty rows after the data, each written out."""
    rows = (f'<row r="{n}" s="1" customFormat="1"/>' for n in range(3, 1_000_003))
    return one_sheet(sheet_xml([table(good_rows()), *rows], dimension="A1:F1000002"))


def data_after_empty_rows() -> bytes:
    """Data, a long run of written-out empty rows, and one more data row far below."""
    rows = [f'<row r="{n}"/>' for n in range(3, 600_000)]
    last = row_xml(600_000, ["B001", 2024, 1, 2, 0, 0])
    return one_sheet(sheet_xml([table(good_rows()), *rows, last]))


def empty_cells_everywhere() -> bytes:
    """Every data row carries 1,500 empty formatted cells to the right of the data."""
    def rows():
        yield row_xml(1, HEADERS)
        for n in range(2, 1_000):
            yield (f'<row r="{n}">' + cell(f"A{n}", f"S{n}") + "".join(
                f'<c r="{col_letter(c)}{n}" s="1"/>' for c in range(7, 1_507)) + "</row>")
    return one_sheet(sheet_xml(rows(), dimension="A1:BEZ1000"))


def millions_of_elements() -> bytes:
    """3.5 million tiny cells without positions (<c s="17"/>) in one row under the header."""
    rng = random.Random(13)
    cells = "".join(f'<c s="{rng.randrange(100)}"/>' for _ in range(3_500_000))
    return one_sheet(sheet_xml(row_xml(1, HEADERS) + f'<row r="2">{cells}</row>'))


def wide_header() -> bytes:
    """A header row 16,384 columns wide (all but the first six are extra columns)."""
    headers = HEADERS + [f"列{i}" for i in range(7, 16_385)]
    return one_sheet(sheet_xml(row_xml(1, headers) + row_xml(2, good_rows()[0])))


def too_many_data_rows() -> bytes:
    """300,000 short data rows (the limit is settings.EXCEL_MAX_ROWS)."""
    rows = (f'<row r="{n}"><c r="C{n}"><v>{n}</v></c></row>' for n in range(2, 300_002))
    return one_sheet(sheet_xml([row_xml(1, HEADERS), *rows]))


def huge_shared_strings() -> bytes:
    """1.2 million shared strings, and a cell pointing at the last one."""
    rng = random.Random(7)
    count = 1_200_000
    letters = string.ascii_letters + string.digits
    strings = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{count}" uniqueCount="{count}">'
               + "".join(f"<si><t>{''.join(rng.choices(letters, k=4))}</t></si>" for _ in range(count))
               + "</sst>").encode()
    header = row_xml(1, HEADERS)
    data = f'<row r="2"><c r="A2" t="s"><v>{count - 1}</v></c></row>'
    return one_sheet(sheet_xml(header + data), shared_strings=strings)


def ten_megabyte_cell() -> bytes:
    """One cell (学校) of ten million characters."""
    rng = random.Random(3)
    text = "".join(rng.choices(string.digits, k=10_000_000))
    return one_sheet(sheet_xml(table([[text, 2024, 10, 100, 0, 1]])))


@functools.cache
def worst_files() -> dict[str, bytes]:
    return {
        "huge_dimension": huge_dimension(),
        "million_rows_declared": million_rows_declared(),
        "million_empty_row_elements": million_empty_row_elements(),
        "data_after_empty_rows": data_after_empty_rows(),
        "empty_cells_everywhere": empty_cells_everywhere(),
        "millions_of_elements": millions_of_elements(),
        "wide_header": wide_header(),
        "too_many_data_rows": too_many_data_rows(),
        "huge_shared_strings": huge_shared_strings(),
        "ten_megabyte_cell": ten_megabyte_cell(),
    }
