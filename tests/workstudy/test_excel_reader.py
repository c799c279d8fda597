"""The import's fast sheet reader gives exactly what openpyxl's read-only iter_rows gives,
and hands the rest of a sheet to openpyxl at anything it does not handle itself."""

import datetime as dt
import io
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from workstudy import excel

pytestmark = pytest.mark.skip(reason="tests the old openpyxl-fallback reader removed in 4e1dcea; to port to workstudy.xlsx_reader")


def _saved(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _both(data: bytes):
    expected_book = load_workbook(io.BytesIO(data), read_only=True)
    expected = list(expected_book.worksheets[0].iter_rows(values_only=True))
    book = load_workbook(io.BytesIO(data), read_only=True)
    fast = excel._fast_values_or_none(book.worksheets[0])
    book = load_workbook(io.BytesIO(data), read_only=True)
    mixed = list(excel._sheet_values(book.worksheets[0]))
    return expected, fast, mixed


def _plain_book():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["学校", "基地名称", "产量", "备注", "是否"])
    sheet.append(["B001", "  茶园 ", 12, None, True])
    sheet.append(["B002", "果园", 3.25, "", False])
    sheet.cell(row=6, column=2, value="隔行")  # rows 4-5 missing from the XML
    sheet.cell(row=7, column=1, value=1e20)
    sheet.cell(row=8, column=3, value=-0.5)
    return workbook


def test_plain_sheet_is_read_fast_and_identically():
    expected, fast, mixed = _both(_saved(_plain_book()))
    assert fast is not None, "a plain sheet should not need openpyxl"
    assert fast == expected == mixed
    assert expected[3] == (None,) * 5  # the missing rows are there, empty


@pytest.mark.parametrize("late", [False, True])
def test_formula_hands_over_to_openpyxl_after_the_rows_already_read(late):
    workbook = _plain_book()
    sheet = workbook.active
    for i in range(300):
        sheet.append([f"S{i}", "基地", i, "", False])
    sheet.cell(row=300 if late else 3, column=3, value="=1+2")
    expected, fast, mixed = _both(_saved(workbook))
    assert fast is None
    assert mixed == expected
    assert any(isinstance(v, str) and v.startswith("=") for row in mixed for v in row)


def test_dates_are_left_to_openpyxl():
    workbook = _plain_book()
    workbook.active.append(["B003", "基地", dt.date(2024, 3, 5), "", True])
    expected, fast, mixed = _both(_saved(workbook))
    assert fast is None and mixed == expected
    assert any(isinstance(v, dt.datetime) for row in mixed for v in row)


SHEET = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<dimension ref="A1:D{max_row}"/><sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>
<row r="2" spans="1:4"><c r="A2" t="s"><v>3</v></c><c r="B2" t="str"><v>文本</v></c><c r="C2" s="0"><v>7</v></c>
<c r="D2" t="e"><v>#N/A</v></c><c r="E2"><v>99</v></c></row>
<row r="3"><c r="A3" t="inlineStr"><is><r><t>富</t></r><r><rPr><b/></rPr><t xml:space="preserve"> 文本 </t></r>
<rPh sb="0" eb="1"><t>フ</t></rPh></is></c><c r="C3" t="b"><v>1</v></c><c r="D3"><v></v></c></row>
<row r="5"><c r="B5" t="s"><v>4</v></c></row>
<row r="9"><c r="A9"><v>1.5E3</v></c></row>
</sheetData></worksheet>"""

STRINGS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="5" uniqueCount="5">
<si><t>学校</t></si><si><t>基地名称</t></si><si><t>产量</t></si>
<si><r><t>B0</t></r><r><t>01</t></r><rPh sb="0" eb="1"><t>ビ</t></rPh></si><si><t xml:space="preserve">  空格  </t></si></sst>"""


def _prefixed(xml: str) -> str:
    """The same sheet with its elements in a prefixed namespace (<x:row>), as some writers do."""
    xml = re.sub(r"<(/?)(?!\?)(\w+)", r"<\1x:\2", xml)
    return xml.replace('xmlns="', 'xmlns:x="')


def _handmade(max_row: int, prefix: bool = False) -> bytes:
    """An Excel-like file: shared strings (with rich text and phonetic runs), str/e/b cells,
    a cell right of the dimension, missing rows, and a dimension shorter or longer than the data."""
    source = zipfile.ZipFile(io.BytesIO(_saved(Workbook())))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = SHEET.format(max_row=max_row)
                data = (_prefixed(data) if prefix else data).encode()
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType='
                                    b'"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/'
                                    b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                                    b"</Relationships>")
            target.writestr(info, data)
        target.writestr("xl/sharedStrings.xml", STRINGS)
    return out.getvalue()


@pytest.mark.parametrize("prefix", [False, True])
@pytest.mark.parametrize("max_row, rows", [(9, 9), (4, 4), (12, 9)])  # openpyxl stops at the dimension or the data
def test_excel_like_file_reads_identically(max_row, rows, prefix):
    expected, fast, mixed = _both(_handmade(max_row, prefix))
    assert fast is not None
    assert fast == expected == mixed
    assert len(expected) == rows
    assert expected[1][:4] == ("B001", "文本", 7, "#N/A") and expected[2][0] == "富 文本 " and expected[2][2] is True


def test_sheet_without_dimension_is_left_to_openpyxl():
    data = _saved(_plain_book())
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb"<dimension [^>]*/>", b"", content)
            target.writestr(info, content)
    book = load_workbook(io.BytesIO(out.getvalue()), read_only=True)
    assert excel._fast_values_or_none(book.worksheets[0]) is None
    book = load_workbook(io.BytesIO(out.getvalue()), read_only=True)
    rows = list(excel._sheet_values(book.worksheets[0]))
    assert rows[0][:2] == ("学校", "基地名称")
