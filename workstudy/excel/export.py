"""Writing the export of a data kind: the rows the user may see, streamed, formulas escaped."""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .. import names as year_names
from ..excel_registry import Registration
from ..xlsx_writer import Sheet, write_xlsx
from .resource import PortalResource

# ---------------------------------------------------------------------------
# Writing files

def _plain(value):
    """An exported value as the writer takes it: numbers and dates stay themselves, the rest
    is text (formula escaping and XML safety are the writer's, :mod:`workstudy.xlsx_writer`)."""
    if isinstance(value, (Decimal, int, float, dt.date)) and not isinstance(value, bool):
        return value
    if value is None:
        return ""
    return str(value)


def _export_getters(resource: PortalResource, export_fields) -> list:
    """Per column, what import-export's ``export_field`` would call for it (the resource's
    ``dehydrate_<name>`` or the field's own ``export``), looked up once instead of per cell."""
    getters = []
    for field in export_fields:
        dehydrate = field.get_dehydrate_method(resource.get_field_name(field))
        method = dehydrate if callable(dehydrate) else getattr(resource, dehydrate, None)
        getters.append(method or field.export)
    return getters


def _as_locked(objects, year, size: int = 2000):
    """``objects`` as a locked ``year`` knew them (names and addresses at its lock,
    :mod:`workstudy.names`), a chunk at a time; unchanged for an open year or no year."""
    year_row = year_names.locked_year(year)
    if year_row is None:
        yield from objects
        return
    batch: list = []
    for obj in objects:
        batch.append(obj)
        if len(batch) >= size:
            year_names.as_locked(batch, year_row)
            yield from batch
            batch = []
    year_names.as_locked(batch, year_row)
    yield from batch


def write_export(registration: Registration, *, user, year=None, school=None, target=None):
    """Write the rows ``user`` may see to an .xlsx file object; return it positioned at 0.

    The rows are read in chunks and streamed into the file (:mod:`workstudy.xlsx_writer`),
    so memory stays flat whatever their number."""
    if user.role not in registration.export_roles:
        raise PermissionDenied(_("您的账号不能导出这类数据。"))
    resource = registration.resource_class(user=user)
    export_fields = resource.export_columns()
    getters = _export_getters(resource, export_fields)
    queryset = resource.export_queryset(year=year, school=school)
    objects = _as_locked(queryset.iterator(chunk_size=2000), year)
    rows = ([_plain(get(obj)) for get in getters] for obj in objects)
    target = target or tempfile.TemporaryFile()
    write_xlsx(target, [Sheet(str(registration.title) or _("数据"), [str(f.column_name) for f in export_fields], rows)])
    target.seek(0)
    return target


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
