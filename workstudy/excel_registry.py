"""The Excel data kinds: key, title, who may import/export, and the resource class by its
dotted path.

Kept apart from :mod:`workstudy.excel` on purpose: apps register their kinds in ``ready()``,
and naming the resource by path means no process imports django-import-export, openpyxl or
tablib (a noticeable import) until it actually reads or writes a workbook — a management command such as
``build_summary`` or a worker serving pages never does.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.module_loading import import_string

from .models import Role

DEFAULT_IMPORT_ROLES = (Role.STAFF, Role.PRINCIPAL)
DEFAULT_EXPORT_ROLES = (Role.STAFF, Role.PRINCIPAL, Role.AUDITOR)


@dataclass(frozen=True)
class Registration:
    key: str
    resource: str | type  # "app.resources.SomeResource", imported on first use
    title: str
    import_roles: tuple[str, ...] = DEFAULT_IMPORT_ROLES
    export_roles: tuple[str, ...] = DEFAULT_EXPORT_ROLES

    @property
    def resource_class(self) -> type:
        return import_string(self.resource) if isinstance(self.resource, str) else self.resource


_registry: dict[str, Registration] = {}


def register(key: str, resource, *, title, import_roles=None, export_roles=None) -> None:
    """Register a data kind. ``resource`` is the resource class or its dotted path;
    ``import_roles=()`` makes the kind export-only."""
    _registry[key] = Registration(
        key=key, resource=resource, title=title,
        import_roles=tuple(import_roles) if import_roles is not None else DEFAULT_IMPORT_ROLES,
        export_roles=tuple(export_roles) if export_roles is not None else DEFAULT_EXPORT_ROLES,
    )


def get_registration(key: str) -> Registration | None:
    return _registry.get(key)


def registrations() -> list[Registration]:
    return list(_registry.values())
