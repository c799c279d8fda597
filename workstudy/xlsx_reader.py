"""A bounded reader for uploaded .xlsx files: what the import needs, and no more work than
the data in the file asks for, whatever the file declares.

* The zip is checked before anything is unpacked (total size, compression ratio, that it
  is a workbook); members are read in chunks and never beyond their declared size.
* The workbook's sheet list says which sheets are hidden; the caller picks the sheet
  (:meth:`Book.choose`) and is told its name.
* Sheet XML is read with expat, streaming: a DOCTYPE (entities) is refused, bad XML
  becomes :class:`XlsxError` with a message for the user. The declared dimension is
  ignored; a row is handed on only if it holds a value, as ``(row number, {column: value})``
  limited to the columns the caller still wants (``Book.max_col``). After
  ``EMPTY_RUN`` written-out empty rows the rest of the sheet is only scanned (C speed) for
  values: none means the sheet has ended, some means the user must delete the gap.
* Every XML element costs a Python call, so a file may hold at most ``MAX_ELEMENTS`` of
  them (sheet and shared strings together): a 5 MB upload can otherwise hold ten
  million empty ``<c/>`` cells.

Values are what openpyxl's read-only ``values_only`` gives (numbers, text, booleans,
``datetime`` for date-formatted numbers, error codes as text), except that a formula
comes back as its text with a leading "=" and the dimension is never padded.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from xml.parsers import expat

from django.utils.translation import gettext as _

MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_MEMBERS = 2_000
MAX_ELEMENTS = 1_000_000  # XML elements parsed per file (sheet + shared strings): bounds a file's CPU
EMPTY_RUN = 1_000  # written-out empty rows in a row before the rest is only scanned
MAX_COLUMN = 16_384  # XFD, Excel's last column
CHUNK = 1 << 16

# Built-in number formats that show a date: openpyxl's (14-22, 45, 47) and the East Asian
# ones (27-36, 50-58: 2024年3月5日 and the like) that Chinese Excel and WPS write.
DATE_FORMAT_IDS = frozenset([*range(14, 23), 45, 47, *range(27, 37), *range(50, 59)])
_EPOCH = dt.datetime(1899, 12, 30)  # noqa: DTZ001 - Excel's day 0; its dates are naive
# Where a value starts in the raw XML of a cell: <v>x, <f, <t>x (inline text), and merges.
_TAIL_VALUE = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?(?:v|t)(?:\s[^>]*)?>\s*[^<\s]|<(?:[A-Za-z_][\w.-]*:)?(f|mergeCell)[\s/>]")


class XlsxError(Exception):
    """The file cannot be read; ``str()`` is the message for the user."""


def _broken() -> XlsxError:
    return XlsxError(_("这不是 Excel（.xlsx）文件，或文件已损坏。请用 Excel/WPS 另存为 .xlsx 后再上传。"))


def _local(name: str) -> str:
    return name.rpartition(":")[2] if ":" in name else name


@dataclass
class SheetEntry:
    name: str
    state: str  # "visible", "hidden" or "veryHidden"
    path: str  # the member's name in the zip

    @property
    def visible(self) -> bool:
        return self.state not in ("hidden", "veryHidden")


class Book:
    """An opened upload. ``sheets`` in the workbook's order; :meth:`rows` reads one."""

    def __init__(self, data: bytes):
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except Exception:  # noqa: BLE001 - whatever zipfile makes of it, it is not a workbook
            raise _broken() from None
        total = sum(info.file_size for info in infos)
        if (len(infos) > MAX_MEMBERS or total > MAX_UNCOMPRESSED_BYTES
                or total > MAX_COMPRESSION_RATIO * max(len(data), 1) + 1024 * 1024):
            raise XlsxError(_("文件解压后异常庞大（可能是恶意文件），已拒绝。"))
        self.names = {info.filename for info in infos}
        if "xl/workbook.xml" not in self.names:
            raise _broken()
        self.elements = 0
        self.max_col = MAX_COLUMN
        self.sheets, rels = self._read_workbook()
        self._shared: list[str] | None = None
        self._shared_path = self._target(rels, "sharedStrings", "xl/sharedStrings.xml")
        self._styles_path = self._target(rels, "styles", "xl/styles.xml")
        self._date_styles: frozenset[int] | None = None

    # -- reading members ----------------------------------------------------------------

    def _chunks(self, path: str):
        try:
            with self.zip.open(path) as member:
                while True:
                    chunk = member.read(CHUNK)
                    if not chunk:
                        return
                    yield chunk
        except XlsxError:
            raise
        except Exception:  # noqa: BLE001 - CRC errors, encryption, unknown compression...
            raise _broken() from None

    def _parser(self, start, end=None, chars=None, namespaces=False):
        parser = expat.ParserCreate(namespace_separator=" " if namespaces else None)

        def refuse(*args):
            raise XlsxError(_("文件中含有不允许的 XML 声明（DOCTYPE），已拒绝。请用 Excel/WPS 另存为 .xlsx 后再上传。"))

        parser.StartDoctypeDeclHandler = refuse
        parser.EntityDeclHandler = refuse
        parser.buffer_text = True
        parser.StartElementHandler = start
        if end is not None:
            parser.EndElementHandler = end
        if chars is not None:
            parser.CharacterDataHandler = chars
        return parser

    def _parse(self, path: str, parser, what: str) -> None:
        """Feed a whole member to ``parser``; bad XML names ``what``."""
        try:
            for chunk in self._chunks(path):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError:
            raise XlsxError(_("文件中的%(what)s已损坏（XML 格式错误），无法读取。请用 Excel/WPS 打开后另存为 .xlsx 再上传。") % {
                "what": what}) from None

    def _count(self) -> None:
        self.elements += 1
        if self.elements > MAX_ELEMENTS:
            raise self.too_many()

    @staticmethod
    def too_many() -> XlsxError:
        return XlsxError(_("文件内容过多：单元格或文字超过 %(n)s 个（多为大片带格式的空白单元格）。"
                           "请只把有数据的区域复制到新的工作表，另存后再上传。") % {"n": f"{MAX_ELEMENTS:,}"})

    # -- workbook, relationships, shared strings, styles --------------------------------

    def _read_workbook(self):
        rels: dict[str, tuple[str, str]] = {}  # id -> (type's last part, member name)

        def rel_start(name, attrs):
            self._count()
            if name.rpartition(" ")[2] == "Relationship" and attrs.get("TargetMode") != "External":
                target = attrs.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
                rels[attrs.get("Id", "")] = (attrs.get("Type", "").rpartition("/")[2], path)

        if "xl/_rels/workbook.xml.rels" not in self.names:
            raise _broken()
        self._parse("xl/_rels/workbook.xml.rels", self._parser(rel_start, namespaces=True), _("工作表目录"))
        entries: list[SheetEntry] = []

        def book_start(name, attrs):
            self._count()
            if name.rpartition(" ")[2] == "sheet":
                rid = next((value for key, value in attrs.items() if key.endswith(" id")), "")
                kind, path = rels.get(rid, ("", ""))
                if kind == "worksheet" and path in self.names:
                    entries.append(SheetEntry(attrs.get("name", ""), attrs.get("state", "visible"), path))

        self._parse("xl/workbook.xml", self._parser(book_start, namespaces=True), _("工作表目录"))
        return entries, rels

    def _target(self, rels, kind: str, default: str) -> str | None:
        for found, path in rels.values():
            if found == kind and path in self.names:
                return path
        return default if default in self.names else None

    def shared_strings(self) -> list[str]:
        if self._shared is None:
            self._shared = self._read_shared() if self._shared_path else []
        return self._shared

    def _read_shared(self) -> list[str]:
        strings: list[str] = []
        parts: list[str] = []
        state = {"t": False, "phonetic": 0}
        count = self._count

        def start(name, attrs):
            count()
            name = _local(name)
            if name == "t" and not state["phonetic"]:
                state["t"] = True
            elif name == "si":
                parts.clear()
            elif name == "rPh":
                state["phonetic"] += 1

        def end(name):
            name = _local(name)
            if name == "t":
                state["t"] = False
            elif name == "si":
                strings.append("".join(parts))
            elif name == "rPh":
                state["phonetic"] -= 1

        def chars(text):
            if state["t"]:
                parts.append(text)

        self._parse(self._shared_path, self._parser(start, end, chars), _("共享文字（sharedStrings.xml）"))
        return strings

    def date_styles(self) -> frozenset[int]:
        """The cell styles (``s``) whose number format shows a date."""
        if self._date_styles is None:
            self._date_styles = self._read_styles() if self._styles_path else frozenset()
        return self._date_styles

    def _read_styles(self) -> frozenset[int]:
        from openpyxl.styles.numbers import is_date_format, is_timedelta_format

        custom: dict[int, str] = {}
        formats: list[int] = []
        state = {"xfs": False}

        def start(name, attrs):
            self._count()
            name = _local(name)
            if name == "numFmt":
                try:
                    custom[int(attrs.get("numFmtId", ""))] = attrs.get("formatCode", "")
                except ValueError:
                    pass
            elif name == "cellXfs":
                state["xfs"] = True
            elif name == "xf" and state["xfs"]:
                try:
                    formats.append(int(attrs.get("numFmtId", "0")))
                except ValueError:
                    formats.append(0)

        def end(name):
            if _local(name) == "cellXfs":
                state["xfs"] = False

        self._parse(self._styles_path, self._parser(start, end), _("格式（styles.xml）"))
        dates = set()
        for index, number in enumerate(formats):
            code = custom.get(number)
            if code is not None:
                if is_date_format(code) and not is_timedelta_format(code):
                    dates.add(index)
            elif number in DATE_FORMAT_IDS:
                dates.add(index)
        return frozenset(dates)

    # -- choosing and reading a sheet ------------------------------------------------------

    def choose(self, names=(), skip=()) -> SheetEntry:
        """The first visible sheet named one of ``names`` (any case, spaces around ignored),
        else the first visible sheet not named one of ``skip``, else the first visible one."""
        visible = [sheet for sheet in self.sheets if sheet.visible]
        if not visible:
            raise XlsxError(_("文件里没有可见的工作表。请在 Excel/WPS 中取消隐藏要导入的工作表后再上传。"))
        wanted = {str(name).strip().casefold() for name in names}
        for sheet in visible:
            if sheet.name.strip().casefold() in wanted:
                return sheet
        unwanted = {str(name).strip().casefold() for name in skip}
        for sheet in visible:
            if sheet.name.strip().casefold() not in unwanted:
                return sheet
        return visible[0]

    def rows(self, sheet: SheetEntry):
        """Yield ``(row number, {column number: value})`` for each row holding a value in a
        column up to ``self.max_col`` (which the caller may lower while reading)."""
        reader = _SheetReader(self, sheet)
        yield from reader.read()

    def close(self) -> None:
        self.zip.close()


class _Merged(Exception):
    pass


class _Stop(Exception):
    pass


class _SheetReader:
    def __init__(self, book: Book, sheet: SheetEntry):
        self.book = book
        self.sheet = sheet

    def read(self):  # noqa: C901 - one state machine, kept in one place for speed
        book = self.book
        date_styles = book.date_styles()
        columns: dict[str, int] = {}  # "AB" -> 28
        shared_formulas: dict[str, str] = {}
        ready: list[tuple[int, dict]] = []
        text: list[str] = []
        cells: dict[int, object] = {}
        shared: list[str] | None = None
        # Parser state, in closure variables (the handlers run once per element).
        elements = book.elements
        limit = MAX_ELEMENTS
        row = col = phonetic = empty_run = empty_from = 0
        kind = "n"
        style = value = formula = plain = f_si = None
        runs: list[str] = []
        in_cell = in_is = in_run = capture = False

        def bad_ref(ref):
            return XlsxError(_("工作表“%(sheet)s”第 %(row)s 行有无效的单元格位置“%(ref)s”，文件已损坏。") % {
                "sheet": self.sheet.name, "row": row, "ref": ref[:20]})

        def start(name, attrs):
            nonlocal elements, row, col, kind, style, value, formula, plain, runs, f_si
            nonlocal in_cell, in_is, in_run, capture, phonetic
            elements += 1
            if elements > limit:
                raise book.too_many()
            if ":" in name:  # a prefixed namespace, e.g. <x:c>
                name = name.rpartition(":")[2]
            if name == "c":
                ref = attrs.get("r")
                if ref:
                    letters = ref.rstrip("0123456789")
                    number = columns.get(letters)
                    if number is None:
                        if not letters or len(letters) > 3 or not letters.isascii() or not letters.isalpha():
                            raise bad_ref(ref)
                        number = 0
                        for letter in letters.upper():
                            number = number * 26 + ord(letter) - 64
                        columns[letters] = number
                    col = number
                else:
                    col += 1
                kind = attrs.get("t", "n")
                style = attrs.get("s")
                value = formula = plain = None
                if runs:
                    runs = []
                in_cell, in_is = True, False
            elif name == "v" or name == "f":
                if in_cell:
                    text.clear()
                    capture = True
                    if name == "f":
                        f_si = attrs.get("si") if attrs.get("t") == "shared" else None
            elif name == "row":
                ref = attrs.get("r")
                row = int(ref) if ref and ref.isdigit() else row + 1
                col = 0
                cells.clear()
            elif name == "t":
                if in_is and not phonetic:
                    text.clear()
                    capture = True
            elif name == "is":
                if in_cell:
                    in_is = True
                    plain = ""
            elif name == "r":
                if in_is:
                    in_run = True
            elif name == "rPh":
                phonetic += 1
            elif name == "mergeCell":
                raise _Merged

        def end(name):
            nonlocal in_cell, in_is, in_run, capture, phonetic, value, formula, plain, empty_run, empty_from
            if ":" in name:
                name = name.rpartition(":")[2]
            if name == "c":
                in_cell = False
                if col <= book.max_col and (value is not None or formula is not None or plain is not None):
                    found = cell_value()
                    if found is not None and found != "":
                        cells[col] = found
            elif name == "v":
                if capture:
                    capture = False
                    value = "".join(text)
            elif name == "row":
                if cells:
                    ready.append((row, dict(cells)))
                    empty_run = 0
                else:
                    if not empty_run:
                        empty_from = row
                    empty_run += 1
                    if empty_run >= EMPTY_RUN:
                        raise _Stop
            elif name == "f":
                if capture:
                    capture = False
                    found = "".join(text)
                    if f_si is not None:
                        found = shared_formulas.setdefault(f_si, found) if found else shared_formulas.get(f_si, "")
                    formula = found
            elif name == "t":
                if capture:
                    capture = False
                    if in_run:
                        runs.append("".join(text))
                    else:
                        plain = "".join(text)
            elif name == "is":
                in_is = False
            elif name == "r":
                in_run = False
            elif name == "rPh":
                phonetic -= 1

        def cell_value():
            nonlocal shared, elements
            if formula is not None:
                return "=" + formula
            if kind == "inlineStr":
                return None if plain is None else plain + "".join(runs)
            if not value:
                return None
            if kind == "n":
                try:
                    number = float(value) if ("." in value or "E" in value or "e" in value) else int(value)
                except ValueError:
                    return value
                if style and style.isdigit() and int(style) in date_styles:
                    try:
                        return _EPOCH + dt.timedelta(days=number)
                    except (OverflowError, ValueError):
                        return number
                return number
            if kind == "s":
                if shared is None:
                    book.elements = elements
                    shared = book.shared_strings()
                    elements = book.elements
                try:
                    return shared[int(value)]
                except (ValueError, IndexError):
                    raise XlsxError(_("工作表“%(sheet)s”第 %(row)s 行引用了不存在的文字，文件已损坏。"
                                      "请用 Excel/WPS 另存为 .xlsx 后再上传。") % {
                        "sheet": self.sheet.name, "row": row}) from None
            if kind == "b":
                return value.strip() in ("1", "true")
            if kind == "d":
                try:
                    return dt.datetime.fromisoformat(value.strip())
                except ValueError:
                    return value
            return value  # "str", "e" and anything else: the text

        def chars(data):
            if capture:
                text.append(data)

        parser = book._parser(start, end, chars)
        sheet_label = _("工作表“%(sheet)s”") % {"sheet": self.sheet.name}
        chunks = book._chunks(self.sheet.path)
        offset = 0  # bytes of the member before the current chunk
        stopped_in: bytes | None = None
        try:
            for chunk in chunks:
                try:
                    parser.Parse(chunk, False)
                except _Stop:
                    stopped_in = chunk[max(0, parser.CurrentByteIndex - offset):]
                except _Merged:
                    raise XlsxError(_("表格中有合并单元格，请取消合并，每个格子只填一个值后再上传。")) from None
                except expat.ExpatError:
                    raise XlsxError(_("%(sheet)s第 %(row)s 行附近的内容已损坏（XML 格式错误），无法读取。"
                                      "请用 Excel/WPS 打开后另存为 .xlsx 再上传。") % {
                        "sheet": sheet_label, "row": max(row, 1)}) from None
                offset += len(chunk)
                yield from ready
                ready.clear()
                if stopped_in is not None:
                    break
            else:
                try:
                    parser.Parse(b"", True)
                except expat.ExpatError:
                    raise XlsxError(_("%(sheet)s的内容不完整（XML 格式错误），无法读取。"
                                      "请用 Excel/WPS 打开后另存为 .xlsx 再上传。") % {
                        "sheet": sheet_label}) from None
                yield from ready
                ready.clear()
            if stopped_in is not None:
                self._scan_tail(stopped_in, chunks, empty_from)
        finally:
            book.elements = max(book.elements, elements)
            chunks.close()

    def _scan_tail(self, rest: bytes, chunks, empty_from: int) -> None:
        """After a long run of empty rows: is there anything below? (regex, no XML parsing)"""
        previous = b""
        for chunk in _chain(rest, chunks):
            found = _TAIL_VALUE.search(previous + chunk)
            if found:
                if found.group(1) == b"mergeCell":
                    raise XlsxError(_("表格中有合并单元格，请取消合并，每个格子只填一个值后再上传。"))
                raise XlsxError(_("工作表“%(sheet)s”从第 %(row)s 行起有 %(n)s 多行空行，空行下面还有数据。"
                                  "请删除中间的空行后再上传。") % {
                    "sheet": self.sheet.name, "row": empty_from, "n": f"{EMPTY_RUN:,}"})
            previous = chunk[-256:]


def _chain(first: bytes, rest):
    yield first
    yield from rest
