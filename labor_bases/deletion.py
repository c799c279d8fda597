"""When a labor base may be deleted: the one rule the page, the API and the admin ask.

A base belongs to no year, but its rows do. Deleting it may not change any year: it is refused
while any plot, product line, yearly account or student activity refers to it, or a locked
year holds its declared area (an open year's declared area goes with the base).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from workstudy import locks


def delete_block_reason(base) -> str | None:
    """Why ``base`` cannot be deleted, or None."""
    used = (base.parcels.exists() or base.lines.exists() or base.finances.exists() or base.activities.exists()
            or base.year_areas.filter(locks.locked_rows("year", "base__school__county")).exists()
            or _listed_elsewhere(base))
    if used:
        return _("“%(name)s”下还有地块、产品、收支、实践活动、劳动教育记录或已锁定年度的申报面积（可能属于往年），"
                 "不能删除。如已不再使用，请修改基地，取消勾选“在用”。") % {"name": base.name}
    return None


def _listed_elsewhere(base) -> bool:
    """Whether a row of another app lists the base among its own (a many-to-many such as the
    bases a school's labor education used): deleting the base would change that row's year."""
    return any(
        relation.many_to_many and getattr(base, relation.get_accessor_name()).exists()
        for relation in base._meta.related_objects
    )
