"""The base resource of every data kind: its fields, widgets and the models' own checks."""

from __future__ import annotations

from import_export import fields as ie_fields
from import_export import resources

from .. import scoping
from ..models import ReportingYear
from .cells import SchoolWidget, YearWidget, school_cell_text

# ---------------------------------------------------------------------------
# Resource base


class PortalResource(resources.ModelResource):
    """Base for every importable/exportable data kind.

    Subclasses declare fields with Chinese ``column_name``s and, in ``Meta``, the model,
    ``fields``, ``import_id_fields`` (natural keys, e.g. school+year+product) and
    optionally ``export_select_related``. Help texts for the template (its instruction sheet
    and the header cells' notes) come from ``column_help = {column_name: "说明"}``;
    ``keep_default_when_empty`` names the fields whose empty cell keeps the model's default
    instead of being imported as empty. The template's drop-down lists come from the
    widgets' ``template_choices()`` (the values their ``clean()`` accepts), its example row
    from ``example_values``; :meth:`rows_url` links an import's result to the rows written.

    The declarations are read by :class:`_Import` (the import) and by :func:`write_export`;
    django-import-export's row-by-row ``import_data`` is not used, so per-field hooks such
    as ``import_field`` are not called (a subclass that overrides one is refused).
    """

    column_help: dict[str, str] = {}
    keep_default_when_empty: frozenset[str] | set[str] = frozenset()
    # Columns a file may leave out (added after templates were handed out): when one is
    # missing, its field is not touched.
    optional_columns: frozenset[str] | set[str] = frozenset()
    # The template's example row: {column name: value}; columns with a drop-down list not
    # named here take the list's first value (see workstudy.excel_template).
    example_values: dict = {}

    class Meta:
        abstract = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for hook in ("import_field", "import_instance", "import_row", "get_instance", "save_instance",
                     "validate_instance", "before_import_row", "after_import_row", "skip_row"):
            if getattr(cls, hook) is not getattr(resources.ModelResource, hook):
                raise TypeError(f"{cls.__name__}.{hook} is never called by workstudy.excel; "
                                "declare keep_default_when_empty or change the model's clean() instead")

    def __init__(self, *, user=None, year: ReportingYear | None = None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.default_year = year
        for field in self.fields.values():
            widget = field.widget
            if hasattr(widget, "coerce_to_string"):
                widget.coerce_to_string = False  # numbers stay numbers in the .xlsx
            if hasattr(widget, "user"):
                widget.user = user
            if isinstance(widget, YearWidget):
                widget.default_year = year

    # Rows the importer may update, and the exporter may read: the user's scope.
    def get_queryset(self):
        return scoping.visible(self.user, self._meta.model)

    def export_columns(self) -> list[ie_fields.Field]:
        return self.get_export_fields()

    def export_queryset(self, *, year=None, school=None):
        qs = scoping.visible(self.user, self._meta.model)
        qs = scoping.filter_school_year(qs, school=school, year=year)
        related = getattr(self._meta, "export_select_related", None) or getattr(self, "export_select_related", ())
        if related:
            qs = qs.select_related(*related)
        return qs.order_by("pk")

    def template_choices(self, field, *, school=None, year=None) -> tuple[list, bool]:
        """(the values a cell of ``field``'s column may take, whether only those) for the
        template's drop-down list: asked of the widget that converts the column on import,
        so the list and the import accept the same values. ``([], False)``: no list."""
        choices = getattr(field.widget, "template_choices", None)
        if field.readonly or choices is None:
            return [], False
        return list(choices(school=school, year=year)), True

    def template_example(self, lists: dict, *, school=None, year=None) -> dict:
        """The template's example row, {column: value}: ``example_values``, the template's
        school and year, and for any other column with a strict drop-down list (``lists``:
        {column: (values, strict)}) the list's first value. Read-only columns stay empty."""
        row = {}
        for field in self.get_import_fields():
            column, widget = field.column_name, field.widget
            if field.readonly:
                continue
            if column in self.example_values:
                row[column] = self.example_values[column]
            elif isinstance(widget, SchoolWidget) and school is not None:
                row[column] = school_cell_text(school, scoping.schools_for(self.user))
            elif isinstance(widget, YearWidget) and year is not None:
                row[column] = year.year
            elif column in lists and lists[column][1]:
                row[column] = lists[column][0][0]
        return row

    def rows_url(self, *, year: int, school: int | None = None) -> str:
        """The list page showing the rows an import of this kind wrote for ``year`` (and
        ``school`` when they are all one school's); "" when the kind has no such page."""
        return ""
