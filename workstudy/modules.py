"""The data modules a school fills in each year, registered by each app.

The principal's checklist, the staff's schools x modules grid and the submit step all
read this registry, so an app appears everywhere by registering once (in ``apps.py``)::

    modules.register(Module(
        key="labor_bases", title=_("劳动实践基地"), order=20,
        url=lambda year: reverse("labor_bases:index") + f"?year={year}",
        counts=lambda year, school_ids=None: {school_id: rows, ...},
    ))

``counts(year)`` counts every school's rows in one grouped query; pages pass
``school_ids`` (the schools on the page, or a principal's own school) so the count reads
only those schools' rows: a province has 15,000 schools.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Module:
    key: str
    title: str
    order: int
    url: Callable[[int], str]
    # (year, school_ids=None) -> {school_id: rows}; schools without rows may be left out.
    counts: Callable[..., dict[int, int]]
    # Whether a school must have at least one row here before it can submit.
    required: bool = False
    # Extra checks run at submit time: (submission) -> list of blocking messages.
    submit_errors: Callable[[object], list[str]] | None = field(default=None)
    # (year, school_id) -> the page of this school's rows (the review screen links to it).
    school_url: Callable[[int, int], str] | None = field(default=None)
    # (year, school_id) -> [dict(key, label, value, unit, url)]: the school's main figures of the
    # year, which the review screen shows next to the year before's (value None: nothing entered).
    figures: Callable[[int, int], list[dict]] | None = field(default=None)


_modules: dict[str, Module] = {}


def register(module: Module) -> None:
    _modules[module.key] = module


def all_modules() -> list[Module]:
    return sorted(_modules.values(), key=lambda m: m.order)


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
