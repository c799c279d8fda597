"""The import's bounded sheet reader (workstudy.xlsx_reader) gives the values openpyxl's
read-only ``iter_rows(values_only=True)`` gives, cell for cell: plain and shared strings,
rich text and phonetic runs, prefixed namespaces, dates, formulas, error codes, booleans,
missing rows, and a declared dimension shorter, longer or absent."""

import datetime as dt
import io
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from workstudy import xlsx_reader


def _saved(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _openpyxl_cells(data: bytes) -> dict:
    """{(row, column): value} of the first sheet as openpyxl reads it, empty cells left out."""
    book = load_workbook(io.BytesIO(data), read_only=True)
    sheet = book.worksheets[0]
    sheet.reset_dimensions()  # read to the data's end whatever the file declares
    cells = {}
    for r, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        for c, value in enumerate(row, start=1):
            if value is not None and value != "":
                cells[(r, c)] = value
    return cells


def _reader_cells(data: bytes) -> dict:
    book = xlsx_reader.Book(data)
    cells = {}
    for r, row in book.rows(book.choose()):
        for c, value in row.items():
            if value is not None and value != "":
                cells[(r, c)] = value
    book.close()
    return cells


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


def test_plain_sheet_reads_like_openpyxl():
    data = _saved(_plain_book())
    cells = _reader_cells(data)
    assert cells == _openpyxl_cells(data)
    assert cells[(2, 2)] == "  茶园 " and cells[(2, 5)] is True and cells[(3, 5)] is False
    assert (4, 1) not in cells and cells[(6, 2)] == "隔行" and cells[(8, 3)] == -0.5


@pytest.mark.parametrize("late", [False, True])
def test_formula_comes_back_as_its_text(late):
    workbook = _plain_book()
    sheet = workbook.active
    for i in range(300):
        sheet.append([f"S{i}", "基地", i, "", False])
    where = 300 if late else 3
    sheet.cell(row=where, column=3, value="=1+2")
    data = _saved(workbook)
    cells = _reader_cells(data)
    assert cells == _openpyxl_cells(data)
    assert cells[(where, 3)] == "=1+2"


def test_dates_read_as_datetimes():
    workbook = _plain_book()
    workbook.active.append(["B003", "基地", dt.date(2024, 3, 5), "", True])
    data = _saved(workbook)
    cells = _reader_cells(data)
    assert cells == _openpyxl_cells(data)
    assert cells[(9, 3)] == dt.datetime(2024, 3, 5)  # noqa: DTZ001 - Excel dates are naive


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
@pytest.mark.parametrize("max_row", [9, 4, 12, 1_000_000])  # the declared dimension is never trusted
def test_excel_like_file_reads_like_openpyxl(max_row, prefix):
    data = _handmade(max_row, prefix)
    cells = _reader_cells(data)
    assert cells == _openpyxl_cells(_handmade(9, prefix))
    assert [cells[(2, c)] for c in (1, 2, 3, 4, 5)] == ["B001", "文本", 7, "#N/A", 99]
    assert cells[(1, 1)] == "学校" and cells[(5, 2)] == "  空格  " and cells[(9, 1)] == 1500
    assert cells[(3, 1)] == "富 文本 ", "rich text runs are joined, phonetic runs left out"
    assert cells[(3, 3)] is True


def test_sheet_without_dimension_reads_like_openpyxl():
    data = _saved(_plain_book())
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb"<dimension [^>]*/>", b"", content)
            target.writestr(info, content)
    cells = _reader_cells(out.getvalue())
    assert cells == _openpyxl_cells(data)
    assert cells[(1, 1)] == "学校" and cells[(1, 2)] == "基地名称"
