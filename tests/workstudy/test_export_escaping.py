"""Export escaping applies to the text as it will be read: what a cell cannot hold is dropped
first, so a leading control character can no longer hide a formula from the guard."""

import io

import pytest
from openpyxl import load_workbook

from workstudy.xlsx_writer import Sheet, escape_cell, write_xlsx


@pytest.mark.parametrize("typed, read", [
    ("\x01=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
    ("\x0b\x1f+1", "'+1"),
    ("\x00@SUM(A1)", "'@SUM(A1)"),
    ("=1&<2>", "'=1&<2>"),
    ("普通文字\x02", "普通文字"),
    ("-5", "'-5"),
])
def test_formula_guard_sees_the_text_as_written(typed, read):
    assert escape_cell(typed) == read
    out = io.BytesIO()
    write_xlsx(out, [Sheet("导出", ["列"], [(typed,)])])
    cell = load_workbook(io.BytesIO(out.getvalue())).worksheets[0]["A2"]
    assert cell.value == read and cell.data_type == "s"
