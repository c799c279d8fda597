"""The streaming .xlsx writer: what it writes is read back by openpyxl (and by the portal's
own import reader) as the values that went in, formula-like text stays inert, XML-hostile
text cannot break the file, and rows are streamed rather than gathered first."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from workstudy import xlsx_writer
from workstudy.xlsx_writer import MAX_CELL_TEXT, Sheet, write_xlsx


def wall(*args) -> dt.datetime:
    """A spreadsheet's date and time: wall-clock, without a time zone."""
    return dt.datetime(*args)  # noqa: DTZ001


def written(*sheets) -> bytes:
    out = io.BytesIO()
    write_xlsx(out, list(sheets))
    return out.getvalue()


def values(data: bytes, index: int = 0, read_only: bool = False) -> list[tuple]:
    book = load_workbook(io.BytesIO(data), read_only=read_only)
    return [tuple(row) for row in book.worksheets[index].iter_rows(values_only=True)]


@pytest.mark.parametrize("read_only", [False, True])
def test_values_read_back_as_written(read_only, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    aware = dt.datetime(2024, 3, 5, 0, 30, tzinfo=dt.UTC)  # 08:30 in Shanghai
    row = ["樟坪中心学校", Decimal("12345.67"), 42, 0.25, dt.date(2024, 3, 5), aware, None, "", True, -7]
    data = written(Sheet("数据", ["学校", "金额", "人数", "比例", "日期", "时间", "空", "空串", "是否", "负数"], [row]))
    header, back = values(data, read_only=read_only)
    assert header[0] == "学校" and len(header) == 10
    assert back[0] == "樟坪中心学校"
    assert Decimal(str(back[1])) == Decimal("12345.67") and back[2] == 42 and back[3] == 0.25
    assert back[4] == wall(2024, 3, 5)
    assert back[5] == wall(2024, 3, 5, 8, 30)
    assert back[6] is None and back[7] is None
    assert back[8] is True and back[9] == -7


def test_money_is_written_as_its_decimal_text():
    data = written(Sheet("s", ["金额"], [[Decimal("0.10")], [Decimal("1234567.89")]]))
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<v>0.10</v>" in sheet and "<v>1234567.89</v>" in sheet  # never through float


@pytest.mark.parametrize("text", ["=SUM(A1)", "+1", "-1+2", "@cmd", "\t=1", "\r=1", '=HYPERLINK("http://x")'])
def test_formula_like_text_is_inert(text):
    data = written(Sheet("s", [text], [[text]]))
    book = load_workbook(io.BytesIO(data))
    for cell in (book.active["A1"], book.active["A2"]):
        assert cell.data_type == "s" and cell.value == "'" + text


def test_xml_hostile_text_cannot_break_the_file():
    nasty = ["<b>&amp;</b> \"q\" 'a'", "a\x00b\x07c\x1fd", "  spaced  ", "line1\r\nline2", "\ud800lone", "x" * 40_000]
    data = written(Sheet("s", ["列"], [[text] for text in nasty]))
    back = [row[0] for row in values(data)[1:]]
    assert back[0] == "<b>&amp;</b> \"q\" 'a'"
    assert back[1] == "abcd"  # control characters dropped
    assert back[2] == "  spaced  "
    assert back[3] == "line1\r\nline2"
    assert back[4] == "lone"
    assert len(back[5]) == MAX_CELL_TEXT


def test_header_is_styled_frozen_and_columns_sized():
    data = written(Sheet("理赔案件", ["案件编号", "出险经过"], [["LP2024-00001", "课间活动时在操场摔伤" * 3]]))
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "理赔案件" and sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b and sheet["A1"].fill.fgColor.rgb == xlsx_writer.HEADER_RGB
    assert not sheet["A2"].font.b
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width >= 10


def test_several_sheets_with_unsafe_and_repeated_titles():
    data = written(Sheet("a/b:c?", ["x"], [[1]]), Sheet("a_b_c_", ["y"], [[2]]), Sheet("", ["z"], []))
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["a_b_c_", "a_b_c_(2)", "Sheet3"]
    assert [values(data, i) for i in range(3)] == [[("x",), (1,)], [("y",), (2,)], [("z",)]]
    with pytest.raises(ValueError):
        write_xlsx(io.BytesIO(), [])


def test_rows_are_streamed_not_gathered(tmp_path, monkeypatch):
    """The file grows while the rows are still being produced: at no point does the writer
    hold all rows (or all their XML) in memory."""
    monkeypatch.setattr(xlsx_writer, "FLUSH_ROWS", 100)
    sizes = []
    path = tmp_path / "big.xlsx"
    with open(path, "wb") as target:
        def rows():
            for n in range(5_000):
                if n % 1_000 == 0:
                    target.flush()
                    sizes.append(path.stat().st_size)
                yield [f"学校{n}", Decimal(n) / 100, dt.date(2024, 1, 1) + dt.timedelta(days=n % 365)]

        assert write_xlsx(target, [Sheet("s", ["学校", "金额", "日期"], rows())]) == 5_000
    assert sizes == sorted(sizes) and sizes[-1] > sizes[1] > sizes[0]
    back = values(path.read_bytes(), read_only=True)
    assert len(back) == 5_001 and back[-1][0] == "学校4999"


def test_the_portal_import_reader_reads_the_writer(settings):
    """Exports are meant to be edited and uploaded again: the import's own reader agrees."""
    from workstudy.excel import read_rows

    data = written(Sheet("s", ["学校", "金额", "日期"], [["樟坪中心学校", Decimal("12.50"), dt.date(2024, 3, 5)]]))
    rows = [list(row) for row in read_rows(data)]
    assert rows[0] == ["学校", "金额", "日期"]
    assert rows[1][0] == "樟坪中心学校" and Decimal(str(rows[1][1])) == Decimal("12.50")
    assert rows[1][2] in (wall(2024, 3, 5), dt.date(2024, 3, 5))


def test_aware_datetimes_use_the_portal_time_zone(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    with timezone.override("Asia/Shanghai"):
        data = written(Sheet("s", ["t"], [[dt.datetime(2024, 12, 31, 20, 0, tzinfo=dt.UTC)]]))
    assert values(data)[1][0] == wall(2025, 1, 1, 4, 0)
