"""Querysets compiled to SQL once per process, then run again with other values.

Building a queryset and compiling it costs the ORM 0.3–1.5 ms of CPU, often more than the
database takes to answer. Every request reads its user (with the school, the county and the
region, :mod:`workstudy.backends`) and most pages the reporting years: compiled once, the
web workers' CPU per request fell by 4–26% under the load test (README, "Load test").

:class:`Prepared` builds its queryset once per database alias from marker values, keeps the
SQL and the compiler (which knows how to turn rows into model instances, ``select_related``
included), and on each call puts the call's values where the markers were. The database is
read every time: only the compiling is kept.

Only integers and strings, in lookups whose SQL does not depend on the value (``pk=``,
``year_id=``; not ``__in`` of a list, not None): checked when compiled, by compiling a second
time with other markers, which must give the same SQL with the values in the same places.
"""

from __future__ import annotations

import copy
import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import QuerySet

# Markers inside a small integer's range (a year is one): Django compiles no SQL for a lookup
# of an integer out of its column's range. A marker that happens to equal a constant of the
# query fails the check in :meth:`Prepared._compile`, never gives a wrong statement.
_INT_MARKERS = (32_001, 32_401)
_STR_MARKERS = ("\u27e6prepared-a-{}\u27e7", "\u27e6prepared-b-{}\u27e7")


@dataclass(frozen=True)
class _Compiled:
    queryset: QuerySet
    compiler: object
    sql: str
    params: tuple
    places: tuple[tuple[int, ...], ...]  # for each value, the positions of its markers in params


def _marker(kind: type, index: int, variant: int):
    if kind is int:
        return _INT_MARKERS[variant] + 97 * index
    return _STR_MARKERS[variant].format(index)


def _fixed_sql(sql: str, params: tuple, *args, **kwargs) -> tuple[str, tuple]:
    return sql, params


class Prepared:
    """``build(*values) -> QuerySet``, kept compiled. ``kinds`` are the values' types (int or
    str). Call :meth:`all` or :meth:`first` with the values."""

    def __init__(self, build: Callable[..., QuerySet], *kinds: type):
        if any(kind not in (int, str) for kind in kinds):
            raise TypeError("Prepared takes integer and string values only")
        self._build, self._kinds = build, kinds
        self._compiled: dict[str, _Compiled] = {}
        self._model_class = None
        self._lock = threading.Lock()
        functools.update_wrapper(self, build)

    def _compile(self, alias: str) -> _Compiled:
        built = []
        for variant in (0, 1):
            markers = [_marker(kind, index, variant) for index, kind in enumerate(self._kinds)]
            queryset = self._build(*markers).using(alias)
            compiler = queryset.query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            built.append((queryset, compiler, sql, tuple(params), markers))
        (queryset, compiler, sql, params, markers), (_qs, _c, other_sql, other_params, other_markers) = built
        places = tuple(
            tuple(i for i, param in enumerate(params) if type(param) is type(marker) and param == marker)
            for marker in markers
        )
        expected = list(params)
        for place, marker in zip(places, other_markers, strict=True):
            for i in place:
                expected[i] = marker
        if not all(places) or other_sql != sql or tuple(expected) != other_params:
            raise ValueError(f"{self._build.__qualname__}: its SQL depends on the values, it cannot be prepared")
        return _Compiled(queryset, compiler, sql, params, places)

    def _compiled_for(self, alias: str) -> _Compiled:
        compiled = self._compiled.get(alias)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(alias)
                if compiled is None:
                    compiled = self._compiled[alias] = self._compile(alias)
        return compiled

    def all(self, *values) -> list:
        """The rows (model instances, or what ``values()`` gives) of the query with ``values``.
        Only lists: a queryset given out could be filtered further, which would run the kept
        SQL without the new filter."""
        if len(values) != len(self._kinds) or any(
            type(value) is not kind for value, kind in zip(values, self._kinds, strict=True)
        ):
            raise TypeError(f"{self._build.__qualname__} takes {[kind.__name__ for kind in self._kinds]}")
        compiled = self._compiled_for(router.db_for_read(self._model()))
        params = list(compiled.params)
        for place, value in zip(compiled.places, values, strict=True):
            for i in place:
                params[i] = value
        compiler = copy.copy(compiled.compiler)
        compiler.connection = connections[compiled.queryset.db]  # this thread's connection
        compiler.as_sql = functools.partial(_fixed_sql, compiled.sql, tuple(params))
        queryset = compiled.queryset._chain()
        queryset.query.get_compiler = _only(compiler)
        return list(queryset)

    def first(self, *values):
        """The first of :meth:`all` (the query's own order and slice), or None."""
        found = self.all(*values)
        return found[0] if found else None

    def _model(self):
        if self._model_class is None:
            self._model_class = self._build(*(_marker(kind, i, 0) for i, kind in enumerate(self._kinds))).model
        return self._model_class

    def __repr__(self) -> str:
        return f"<Prepared {self._build.__qualname__}>"


def _only(compiler):
    def get_compiler(using=None, connection=None, elide_empty=True):
        if connection is not None and connection is not compiler.connection:
            raise ValueError("a prepared query runs on its own database only")
        return compiler

    return get_compiler


def prepared(*kinds: type):
    """Decorator: ``@prepared(int)`` over ``def user_by_pk(pk): return User.objects...``."""
    return lambda build: Prepared(build, *kinds)
