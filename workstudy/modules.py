"""The data modules a school fills in each year, registered by each app.

The principal's checklist, the staff's schools x modules grid and the submit step all
read this registry, so an app appears everywhere by registering once (in ``apps.py``)::

    modules.register(Module(
        key="labor_bases", title=_("劳动实践基地"), order=20,
        url=lambda year: reverse("labor_bases:index") + f"?year={year}",
        counted=(LandParcel, ProductionLine),
    ))

A module's count is its ``counted`` rows of the year per school; :func:`counts` reads every
module's in one query (a UNION ALL of grouped counts), each model reaching its school and
year by the paths it is registered with in :mod:`workstudy.scoping`. Pages pass
``school_ids`` (the schools on the page, or a principal's own school) so the count reads only
those schools' rows: a province has 15,000 schools.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db import connection
from django.db.models import Count, F, Value


@dataclass(frozen=True)
class Module:
    key: str
    title: str
    order: int
    url: Callable[[int], str]
    # The models whose rows of a year the checklist, the grid and the submit step count per school.
    counted: tuple
    # Whether a school must have at least one row here before it can submit.
    required: bool = False
    # Extra checks run at submit time: (submission) -> list of blocking messages.
    submit_errors: Callable[[object], list[str]] | None = field(default=None)
    # (year, school_id) -> the page of this school's rows (the review screen links to it).
    school_url: Callable[[int, int], str] | None = field(default=None)
    # (years, school_id) -> {year: [dict(key, label, value, unit, url)]}: the school's main figures
    # of each year, which the review screen shows next to the year before's (value None: nothing
    # entered). Every year in the same queries: the screen asks for two.
    figures: Callable[[list[int], int], dict[int, list[dict]]] | None = field(default=None)

    def counts(self, year: int, school_ids: Iterable[int] | None = None) -> dict[int, int]:
        """{school_id: rows} of ``year``, every school's or only ``school_ids``' (schools without rows left out)."""
        return counts(year, school_ids, [self])[self.key]


_modules: dict[str, Module] = {}


def register(module: Module) -> None:
    _modules[module.key] = module


def all_modules() -> list[Module]:
    return sorted(_modules.values(), key=lambda m: m.order)


def counts(
    year: int, school_ids: Iterable[int] | None = None, module_list: list[Module] | None = None
) -> dict[str, dict[int, int]]:
    """{module key: {school_id: rows}} of ``year`` for ``module_list`` (default: every module), in
    one query whatever the number of modules; every school's, or only ``school_ids``'.

    The query's SQL is built once per process for each set of modules and number of schools
    (:func:`_count_sql`): building it through the ORM took 5 ms of CPU, a fifth of a principal's
    checklist, where running it takes a tenth of a millisecond."""
    module_list = all_modules() if module_list is None else module_list
    out: dict[str, dict[int, int]] = {module.key: {} for module in module_list}
    ids = None if school_ids is None else list(school_ids)
    if ids == [] or not any(module.counted for module in module_list):
        return out
    counted = tuple((module.key, module.counted) for module in module_list)
    sql, slots = _count_sql(connection.alias, connection.vendor, counted, None if ids is None else len(ids))
    params = [year if slot is _YEAR else ids[slot] if isinstance(slot, int) else slot.value for slot in slots]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for key, school_id, n in rows:
        out[key][school_id] = out[key].get(school_id, 0) + n
    return out


def _count_query(module_list: list[Module], year: int, ids: list[int] | None):
    """The modules' counts as one UNION ALL of grouped counts (module key, school id, rows)."""
    from . import scoping

    parts = []
    for module in module_list:
        for model in module.counted:
            scope = scoping.scope_of(model)
            rows = model._default_manager.filter(**{f"{scope.year}_id": year})
            if ids is not None:
                rows = rows.filter(**{f"{scope.school}_id__in": ids})
            parts.append(
                rows.values(counted_school=F(f"{scope.school}_id")).annotate(n=Count("pk"), counted_module=Value(module.key))
                .order_by().values_list("counted_module", "counted_school", "n")
            )
    return parts[0].union(*parts[1:], all=True)


class _Fixed:
    """A parameter of the built SQL that is the same on every call (a module's key)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


_YEAR = object()
_MARK = -987_650_000  # the year built into the SQL, then the schools' ids: -987_650_001, -987_650_002...


@functools.lru_cache(maxsize=512)
def _count_sql(alias: str, vendor: str, counted: tuple, n_ids: int | None) -> tuple[str, tuple]:
    """The SQL of :func:`_count_query` for the modules ``counted`` (each one's key and counted
    models, so a module registered again with other models gets its own) and ``n_ids`` schools (None: all),
    its columns in a fixed order, and where each parameter comes from: :data:`_YEAR`, the index
    of a school id, or a :class:`_Fixed` value. Built with marker values that no year or id
    takes, each found again among the parameters (the ORM's parameters are positional)."""
    from django.db import connections

    marks = None if n_ids is None else [_MARK - 1 - i for i in range(n_ids)]
    query = _count_query([SimpleNamespace(key=key, counted=models) for key, models in counted], _MARK, marks)
    inner, params = query.query.get_compiler(using=alias).as_sql()
    where = {_MARK: _YEAR, **({mark: i for i, mark in enumerate(marks)} if marks else {})}
    slots = tuple(where[p] if isinstance(p, int) and p in where else _Fixed(p) for p in params)
    schools = {slot for slot in slots if isinstance(slot, int)}
    if not any(slot is _YEAR for slot in slots) or schools != set(range(n_ids or 0)):
        raise AssertionError(f"the modules' count query did not take its year and schools as parameters: {inner}")
    quote = connections[alias].ops.quote_name
    columns = ", ".join(quote(name) for name in ("counted_module", "counted_school", "n"))
    return f"SELECT {columns} FROM ({inner}) {quote('module_counts')}", slots


@dataclass(frozen=True)
class NavItem:
    title: str
    url_name: str
    roles: tuple[str, ...]
    order: int = 50


_nav: list[NavItem] = []


def register_nav(item: NavItem) -> None:
    """Add a link to the header menu for the given roles (an app's main page)."""
    if all(existing.url_name != item.url_name for existing in _nav):
        _nav.append(item)


def nav_for(user) -> list[NavItem]:
    role = getattr(user, "role", None)
    return sorted((item for item in _nav if role in item.roles), key=lambda i: i.order)
