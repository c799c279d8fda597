"""The Excel template of a data kind: the file a user downloads, fills in and uploads.

The data sheet (the one the import reads) has:

* the header row, each cell with a note (Excel comment) saying what to enter, whether it
  may be left empty, and the unit and range of a number (its :mod:`workstudy.limits`
  limit, the same the import checks);
* drop-down lists (list validations) on the columns whose values come from a list: the
  school's bases, plots, land types, units... Each list is the column widget's own
  ``template_choices()`` (:meth:`workstudy.excel.PortalResource.template_choices`), read
  from where the import looks the value up, never a second copy. A list too long to spell
  inside the validation lives on the hidden sheet 下拉选项 (never read as data, see
  ``excel.INSTRUCTION_SHEETS``) under a defined name;
* one example row in grey italics whose first cell starts with 【示例】, with a note: the
  import leaves a marked row out (:func:`workstudy.excel.is_example_mark`), so a user who
  keeps it gets neither an error nor a row from it; one who types over it replaces the mark.

A second sheet, 填写说明, repeats the notes as a table. The lists are the downloading
principal's school's; bureau staff get the school they chose, or every school's.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from . import excel, limits, scoping
from .excel import checking
from .excel_registry import Registration
from .xlsx_writer import FORMULA_PREFIXES, HEADER_RGB

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor=HEADER_RGB)
EXAMPLE_FONT = Font(italic=True, color="FF808080")
NOTE_AUTHOR = "勤工办"
INLINE_LIST_CHARS = 250  # Excel refuses a list validation spelt out longer than 255 characters


def _put(cell, value) -> None:
    """Write ``value`` as it is: text that looks like a formula stays text."""
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


def _model_field(resource, field):
    attribute = field.attribute or ""
    return None if "__" in attribute else limits.model_field(resource._meta.model, attribute)


def _required(resource, field, model_field) -> bool:
    """Whether the import refuses an empty cell (a model default is not used unless the
    field is in ``keep_default_when_empty``: an empty number cell is imported as empty)."""
    widget = field.widget
    if isinstance(widget, excel.YearWidget):
        return False  # the year chosen on the upload page
    if isinstance(widget, excel.SchoolWidget):
        return not (resource.user is not None and resource.user.is_principal)  # the principal's own school
    return model_field is not None and not model_field.blank and field.attribute not in resource.keep_default_when_empty


def _range(limit: limits.Limit) -> str:
    unit = f" {limit.unit}" if str(limit.unit) else ""
    kind = _("整数") if limit.integer else _("最多 %(places)s 位小数") % {"places": limit.places}
    return _("范围：%(low)s 至 %(high)s%(unit)s，%(kind)s。") % {
        "low": limits._number(limit.low), "high": limits._number(limit.high), "unit": unit, "kind": kind}


def column_note(resource, field, choices=(), strict: bool = False) -> str:
    """What to enter in ``field``'s column: the resource's ``column_help`` (or a word on the
    kind of value), required or not, the number's range and unit, the values of its list."""
    help_text = str(resource.column_help.get(field.column_name, ""))
    if field.readonly:
        return help_text or _("由系统填写，导入时不读取，可留空。")
    widget = field.widget
    model_field = _model_field(resource, field)
    parts = [_("必填。") if _required(resource, field, model_field) else _("可留空。")]
    if help_text:
        parts.append(help_text.rstrip("。") + "。")
    elif isinstance(widget, excel.SchoolWidget):
        parts.append(_("学校全称或学校代码；校长账号可留空，默认为本校。"))
    elif isinstance(widget, excel.YearWidget):
        parts.append(_("四位年份，如 2024；留空则为上传页面选择的年度。"))
    elif checking._is_date_widget(widget):
        parts.append(_("日期，如 2024-03-05。"))
    elif checking._numeric_kind(widget):
        parts.append(_("只填数字（半角），不要带单位或千位分隔符。"))
    limit = limits.limit_of(model_field) if model_field is not None else None
    if limit is not None:
        parts.append(_range(limit))
    if isinstance(widget, excel.ChoiceWidget):
        parts.append(_("可填：") + "、".join(str(value) for value in choices) + "。")
    elif choices and strict:
        parts.append(_("请从下拉列表中选择。"))
    elif choices:
        parts.append(_("可从下拉列表中选择，也可填写列表里没有的。"))
    return "".join(parts)


def _inline_formula(values: list) -> str | None:
    """The list spelt out inside the validation, or None when it must live on the lists sheet."""
    texts = [str(value) for value in values]
    if any("," in text or '"' in text or text.startswith(FORMULA_PREFIXES) for text in texts):
        return None
    formula = '"' + ",".join(texts) + '"'
    return formula if len(formula) <= INLINE_LIST_CHARS else None


class _Lists:
    """The hidden sheet of long lists, made on first use: a column and a defined name per list."""

    def __init__(self, workbook: Workbook):
        self.workbook = workbook
        self.sheet = None
        self.columns = 0

    def formula(self, name: str, values: list) -> str:
        if self.sheet is None:
            self.sheet = self.workbook.create_sheet(_("下拉选项"))
            self.sheet.sheet_state = "hidden"
        self.columns += 1
        column = self.columns
        letter = get_column_letter(column)
        _put(self.sheet.cell(row=1, column=column), name)
        for row, value in enumerate(values, start=2):
            _put(self.sheet.cell(row=row, column=column), value)
        ref = f"{quote_sheetname(self.sheet.title)}!${letter}$2:${letter}${len(values) + 1}"
        self.workbook.defined_names[name] = DefinedName(name, attr_text=ref)
        return name


def _validation(values: list, strict: bool, lists: _Lists, name: str) -> DataValidation:
    formula = _inline_formula(values) or lists.formula(name, values)
    validation = DataValidation(type="list", formula1=formula, allow_blank=True)
    # A strict list is what the import accepts and nothing else; a suggestion list (e.g. the
    # products already entered) lets any other text through, as the import does.
    validation.showErrorMessage = strict
    if strict:
        validation.errorTitle = _("不在列表中")
        validation.error = _("请从下拉列表中选择。")
    return validation


def build_template(registration: Registration, *, user, school=None, year=None) -> bytes:
    """The template of ``registration`` for ``user``: lists and example of ``school`` (a
    principal's own school whatever is passed; for staff the school chosen or None for all)
    and ``year`` (None: the year entry pages start on)."""
    if user.is_principal:
        school = user.school
    year = year or scoping.default_entry_year()
    resource = registration.resource_class(user=user, year=year)
    fields = list(resource.get_import_fields())
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(registration.title)[:28] or "数据"
    lists = _Lists(workbook)
    choices = {}
    for field in fields:
        values, strict = resource.template_choices(field, school=school, year=year)
        if values:
            choices[field.column_name] = (values, strict)
    notes = {}
    for position, field in enumerate(fields, start=1):
        column = field.column_name
        values, strict = choices.get(column, ((), False))
        notes[column] = column_note(resource, field, values, strict)
        cell = sheet.cell(row=1, column=position, value=column)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.comment = Comment(notes[column], NOTE_AUTHOR, width=320, height=140)
        sheet.column_dimensions[cell.column_letter].width = max(12, len(str(column)) * 2 + 4)
        if values:
            validation = _validation(list(values), strict, lists, f"list_{resource.get_field_name(field)}")
            letter = get_column_letter(position)
            validation.add(f"{letter}2:{letter}{settings.EXCEL_MAX_ROWS + 1}")
            sheet.add_data_validation(validation)
    example = resource.template_example(choices, school=school, year=year)
    for position, field in enumerate(fields, start=1):
        cell = sheet.cell(row=2, column=position)
        value = example.get(field.column_name)
        _put(cell, excel.EXAMPLE_MARK + ("" if value is None else str(value)) if position == 1 else value)
        cell.font = EXAMPLE_FONT
    sheet["A2"].comment = Comment(
        _("这一行是填写示例：以“%(mark)s”开头的行导入时会被忽略，可以保留或删除。请从下一行开始填写；"
          "也可以直接在这一行上填写（覆盖“%(mark)s”后这一行就会导入）。") % {"mark": excel.EXAMPLE_MARK},
        NOTE_AUTHOR, width=320, height=120)
    sheet.freeze_panes = "A2"
    _instructions(workbook, fields, notes)  # the second sheet; the hidden lists (if any) come last
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _instructions(workbook: Workbook, fields, notes: dict) -> None:
    help_sheet = workbook.create_sheet(_("填写说明"), 1)
    help_sheet.append([_("列"), _("说明")])
    for cell in help_sheet[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for field in fields:
        help_sheet.append([field.column_name, notes[field.column_name]])
    help_sheet.append([])
    help_sheet.append([_("示例行"), _("第 2 行（灰色斜体，以“%(mark)s”开头）是填写示例，导入时忽略，可以保留或删除。") % {
        "mark": excel.EXAMPLE_MARK}])
    help_sheet.append([_("下拉列表"), _("带下拉箭头的列请从列表中选择；列表是下载模板时平台上已登记的数据。")])
    help_sheet.append([_("注意"), _("不要合并单元格、不要使用公式；每行一条记录；整个文件检查通过后才会一次性保存。")])
    help_sheet.column_dimensions["A"].width = 24
    help_sheet.column_dimensions["B"].width = 80
