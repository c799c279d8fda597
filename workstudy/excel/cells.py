"""Cell widgets of the Excel pipeline: references resolved inside the user's scope, choices and
yes/no in Chinese, each with the portal's own messages."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from import_export import widgets

from .. import scoping
from ..models import ReportingYear, School

# ---------------------------------------------------------------------------
# Widgets: resolve references inside the user's scope, with Chinese messages.
#
# A reference widget answers from a table read for the whole file by ``prefetch(rows,
# column)`` (one query per column, whatever the number of rows); a value that the table
# was not built for is looked up on its own, with the same result.

IN_CHUNK = 2000  # values per IN (...) list: SQLite limits a statement's parameters


def cell_text(value) -> str:
    return str(value).strip() if value is not None else ""


def in_chunks(values, size: int = IN_CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


def schools_by_text(schools, texts) -> dict[str, list]:
    """``{text: [School]}`` for each of ``texts`` that names a school of ``schools`` (a queryset):
    the school whose code it is, else every school of that name (one per county), ordered by
    code. One query per 2,000 texts."""
    by_code: dict[str, object] = {}
    by_name: dict[str, dict] = {}
    for chunk in in_chunks(texts):
        for school in schools.filter(models.Q(code__in=chunk) | models.Q(name__in=chunk)):
            by_code[school.code] = school
            by_name.setdefault(school.name, {})[school.pk] = school
    found = {}
    for text in texts:
        if text in by_code:  # a code names one school in the country, whatever the names
            found[text] = [by_code[text]]
        elif text in by_name:
            found[text] = sorted(by_name[text].values(), key=lambda s: s.code)
    return found


def ambiguous_school_message(text: str, schools) -> str:
    """The refusal of a school name that several schools the user reads bear (in different
    counties): the user is asked for the code, shown with each school's county."""
    listed = _("、").join(
        _("%(county)s的%(name)s（代码 %(code)s）") % {"county": s.county.name, "name": s.name, "code": s.code}
        for s in schools[:5]
    )
    return _("有多所学校名为“%(value)s”：%(schools)s。请改填学校代码。") % {"value": text, "schools": listed}


def school_cell_text(school, schools) -> str:
    """How a cell names ``school`` to a user reading ``schools``: its name, or its code when
    another of those schools (of another county) has the same name."""
    if schools.filter(name=school.name).exclude(pk=school.pk).exists():
        return school.code
    return school.name


class SchoolWidget(widgets.ForeignKeyWidget):
    """A 学校 column: the school's code or name, looked up among the schools the user sees.

    For a principal an empty cell means their own school; any other school is refused. A
    name borne by several schools the user reads (a city's or province's user: two counties
    may each have a 第一中学) is refused with a request for the school's code, never guessed.
    """

    cache_columns = ()  # the answer depends on the cell alone (per-file memo)

    def __init__(self, **kwargs):
        super().__init__(School, field="name", **kwargs)
        self.user = None
        self._table: dict[str, list] | None = None
        self._known: set = set()

    def _schools(self):
        return scoping.schools_for(self.user).select_related("county")

    def prefetch(self, rows, column) -> None:
        if self.user is None:
            return
        texts = {cell_text(row.get(column)) for row in rows} - {""}
        self._table = schools_by_text(self._schools(), texts)
        self._known = texts

    def _find(self, text) -> list:
        if self._table is not None and text in self._known:
            return self._table.get(text, [])
        return schools_by_text(self._schools(), [text]).get(text, [])

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        user = self.user
        if not text:
            if user is not None and user.is_principal:
                return user.school
            raise ValueError(_("请填写学校名称或代码。"))
        found = self._find(text) if user is not None else []
        if len(found) > 1:
            raise ValueError(ambiguous_school_message(text, found))
        if not found:
            if user is not None and user.is_principal:
                raise ValueError(_("“%(value)s”不是本校，您只能导入本校（%(own)s）的数据。") % {
                    "value": text, "own": user.school.name})
            raise ValueError(_("找不到学校“%(value)s”，请填写学校全称或学校代码。") % {"value": text})
        return found[0]

    def render(self, value, obj=None, **kwargs):
        return value.name if value is not None else ""

    def template_choices(self, *, school=None, year=None) -> list[str]:
        """The schools this column accepts from the user (the template's drop-down list)."""
        if self.user is None:
            return []
        readable = scoping.schools_for(self.user)
        schools = readable
        if school is not None:
            schools = schools.filter(pk=getattr(school, "pk", school))
        rows = list(schools.order_by("code").values_list("code", "name"))
        # A name that several readable schools bear (in different counties) is listed by code.
        shared = readable.order_by().values("name").annotate(n=models.Count("pk")).filter(n__gt=1)
        if school is not None:
            shared = shared.filter(name__in=[name for _code, name in rows])
        shared = set(shared.values_list("name", flat=True))
        return [code if name in shared else name for code, name in rows]


class YearWidget(widgets.ForeignKeyWidget):
    """A 年度 column (e.g. 2024); empty means the year chosen on the upload page."""

    cache_columns = ()

    def __init__(self, **kwargs):
        super().__init__(ReportingYear, field="year", **kwargs)
        self.default_year = None
        self._table: dict[int, ReportingYear] | None = None
        self._known: set = set()

    @staticmethod
    def _year_text(value) -> str:
        text = cell_text(value)
        return text[:-2] if text.endswith(".0") else text

    def prefetch(self, rows, column) -> None:
        numbers = {int(text) for text in (self._year_text(row.get(column)) for row in rows) if text.isdigit()}
        self._table = {year.pk: year for year in ReportingYear.objects.filter(pk__in=numbers)}
        self._known = numbers

    def clean(self, value, row=None, **kwargs):
        text = self._year_text(value)
        if not text:
            if self.default_year is not None:
                return self.default_year
            raise ValueError(_("请填写年度，例如 2024。"))
        if not text.isdigit():
            raise ValueError(_("年度“%(value)s”应为四位数字，例如 2024。") % {"value": text})
        number = int(text)
        if self._table is not None and number in self._known:
            year = self._table.get(number)
        else:
            year = ReportingYear.objects.filter(pk=number).first()
        if year is None:
            raise ValueError(_("统计年度 %(value)s 尚未开放。") % {"value": text})
        return year

    def render(self, value, obj=None, **kwargs):
        return value.year if value is not None else ""

    def template_choices(self, *, school=None, year=None) -> list[int]:
        """The years data may be imported into (a locked year is refused by the scope check)."""
        return list(scoping.entry_years().values_list("year", flat=True))


class ScopedForeignKeyWidget(widgets.ForeignKeyWidget):
    """Any other reference, looked up by ``field`` among the rows the user may see."""

    cache_columns = ()

    def __init__(self, model, field="name", label=None, **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.user = None
        self.label = label or model._meta.verbose_name
        self._table: dict | None = None
        self._known: set = set()

    def get_queryset(self, value, row, *args, **kwargs):
        return scoping.visible(self.user, self.model) if self.user is not None else self.model.objects.none()

    def _key(self, text):
        return self.model._meta.get_field(self.field).to_python(text)

    def prefetch(self, rows, column) -> None:
        if self.user is None or "__" in self.field:
            return
        keys = set()
        for row in rows:
            text = cell_text(row.get(column))
            if text:
                try:
                    keys.add(self._key(text))
                except ValidationError:
                    continue  # such a cell is looked up (and refused) on its own
        attname = self.model._meta.get_field(self.field).attname
        table: dict = {}
        for chunk in in_chunks(keys):
            for obj in self.get_queryset(None, None).filter(**{f"{attname}__in": chunk}):
                table.setdefault(getattr(obj, attname), []).append(obj)
        self._table, self._known = table, keys

    def _matches(self, text) -> list:
        if self._table is not None:
            try:
                key = self._key(text)
            except ValidationError:
                key = None
            if key is not None and key in self._known:
                return self._table.get(key, [])[:2]
        return list(self.get_queryset(text, None).filter(**{self.field: text})[:2])

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        matches = self._matches(text)
        if not matches:
            raise ValueError(_("找不到%(label)s“%(value)s”。") % {"label": self.label, "value": text})
        if len(matches) > 1:
            raise ValueError(_("%(label)s“%(value)s”不唯一，请联系勤工办。") % {"label": self.label, "value": text})
        return matches[0]

    def template_choices(self, *, school=None, year=None) -> list:
        """The values of ``field`` among the rows this widget looks references up in (narrowed to
        ``school`` when the model belongs to schools)."""
        if self.user is None or "__" in self.field:
            return []
        qs = self.get_queryset(None, None)
        if school is not None and scoping.scope_of(self.model).school is not None:
            qs = scoping.filter_school_year(qs, school=school)
        values = qs.order_by(self.field).values_list(self.field, flat=True).distinct()
        return [value for value in values if value not in (None, "")]


class ChoiceWidget(widgets.Widget):
    """A choice column: accepts the Chinese label (or the stored value), exports the label."""

    cache_columns = ()

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = list(choices)
        self.by_label = {str(label): value for value, label in self.choices}
        self.values = {value for value, _label in self.choices}

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return ""
        if text in self.by_label:
            return self.by_label[text]
        if text in self.values:
            return text
        allowed = "、".join(str(label) for _v, label in self.choices)
        raise ValueError(_("“%(value)s”不是可选项，请填写：%(allowed)s。") % {"value": text, "allowed": allowed})

    def render(self, value, obj=None, **kwargs):
        for stored, label in self.choices:
            if stored == value:
                return str(label)
        return value or ""

    def template_choices(self, *, school=None, year=None) -> list[str]:
        return [str(label) for _value, label in self.choices]


class BooleanCNWidget(widgets.Widget):
    TRUE = {"是", "有", "1", "true", "True", "TRUE", "Y", "y", "yes"}
    FALSE = {"否", "无", "0", "false", "False", "FALSE", "N", "n", "no", ""}
    cache_columns = ()

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(_("请填写“是”或“否”。"))

    def render(self, value, obj=None, **kwargs):
        return _("是") if value else _("否")

    def template_choices(self, *, school=None, year=None) -> list[str]:
        return ["是", "否"]  # what clean() accepts, in any language


# ---------------------------------------------------------------------------
# Cells as reported to the user

PREVIEW_CHARS = 200  # characters of one cell shown in the preview or quoted in a message
MESSAGE_CHARS = 600  # characters of one message at most
MAX_CELL_CHARS = 32_767  # Excel's own limit on one cell's text
INSTRUCTION_SHEETS = ("填写说明", "下拉选项")  # the template's other sheets, never the data
BAD = type("BadCell", (), {"__repr__": lambda self: "BAD", "__slots__": ()})()  # a cell already reported
# The template's example row starts with this mark in column A (before the column's value):
# a row so marked is never imported; the same row without the mark is. A user who types over
# the example row replaces the mark, and their row is imported.
EXAMPLE_MARK = "【示例】"


def is_example_mark(value) -> bool:
    return isinstance(value, str) and value.lstrip().startswith(EXAMPLE_MARK)


def clip(value, limit: int = PREVIEW_CHARS):
    """Text cut to ``limit`` characters (with "…"), anything else as it is."""
    if isinstance(value, str) and len(value) > limit:
        return value[:limit] + "…"
    return value


@dataclass
class RowIssue:
    row: int | None  # Excel row number (header is row 1); None for the whole file
    column: str
    message: str

    def __post_init__(self):
        self.message = clip(str(self.message), MESSAGE_CHARS)
        self.column = clip(self.column, 40)

    def __str__(self):
        if self.row is None:
            return self.message
        if self.column:
            return _("第 %(row)s 行，“%(column)s”列：%(message)s") % {
                "row": self.row, "column": self.column, "message": self.message}
        return _("第 %(row)s 行：%(message)s") % {"row": self.row, "message": self.message}
