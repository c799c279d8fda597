"""Excel (.xlsx) templates, import with preview, and export — one pipeline for every data kind.

An app describes a data kind with a :class:`PortalResource` (django-import-export) and
registers it once in ``ready()``::

    excel.register("labor_plots", PlotResource, title=_("地块"))

Every registered kind then gets, at ``excel:template`` / ``excel:import`` / ``excel:export``:

* a template .xlsx (:mod:`workstudy.excel_template`): Chinese headers with a note each,
  drop-down lists, a marked example row that the import leaves out, an instructions sheet;
* upload -> checks of the file itself (size, zip bomb, merged cells, formulas, columns,
  row limit, full-width digits, thousands separators, 万 units, text dates, duplicates)
  -> a preview that checks every row (the models' own validation, nothing written) and
  lists every bad row and column in plain words -> confirm -> the rows are saved all
  together or not at all. The upload is kept in the database between preview and
  confirm, so any app server can finish it. A 10,000-row file costs the same few
  queries per file whatever its number of rows or schools;
* every row is checked against :mod:`workstudy.scoping`: a principal's upload can only
  touch their own school in an open year;
* export of the rows the user may see, streamed row by row by :mod:`workstudy.xlsx_writer`
  with cells that start with = + - @ escaped so a spreadsheet never runs them.

The package follows the pipeline's seams: :mod:`.cells` (widgets and how a cell is reported),
:mod:`.resource` (the base resource), :mod:`.checking` (reading and checking a file, the
preview), :mod:`.saving` (saving a checked file), :mod:`.export` (writing the export). The
names other modules use are importable from the package itself.
"""

from ..excel_registry import Registration, get_registration, register, registrations
from ..xlsx_writer import escape_cell
from .cells import (
    EXAMPLE_MARK,
    INSTRUCTION_SHEETS,
    BooleanCNWidget,
    ChoiceWidget,
    RowIssue,
    SchoolWidget,
    ScopedForeignKeyWidget,
    YearWidget,
    ambiguous_school_message,
    cell_text,
    clip,
    in_chunks,
    is_example_mark,
    school_cell_text,
    schools_by_text,
)
from .checking import CheckedFile, FileRejected, ImportReport, check_file, read_rows, read_sheet, run_import, sheet_names
from .export import sha256_of, write_export
from .resource import PortalResource

__all__ = [
    "EXAMPLE_MARK", "INSTRUCTION_SHEETS", "BooleanCNWidget", "CheckedFile", "ChoiceWidget", "FileRejected",
    "ImportReport", "PortalResource", "Registration", "RowIssue", "SchoolWidget", "ScopedForeignKeyWidget",
    "YearWidget", "ambiguous_school_message", "cell_text", "check_file", "clip", "escape_cell", "get_registration",
    "in_chunks", "is_example_mark", "read_rows", "read_sheet", "register", "registrations", "run_import",
    "school_cell_text", "schools_by_text", "sha256_of", "sheet_names", "write_export",
]
