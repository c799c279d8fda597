"""Check a model's ``CheckConstraint`` on an unsaved row without asking the database.

Django's ``CheckConstraint.validate()`` runs one ``SELECT`` per row (the condition with the
row's values as literals). The Excel import validates thousands of rows at once, so
:func:`validate_in_python` evaluates the conditions made of plain lookups on the row's own
fields (``exact``, ``gt``/``gte``/``lt``/``lte``, ``in``, ``isnull``, joined with ``&``, ``|``
and ``~``) with SQL's three-valued logic, as the database would: a comparison with NULL is
unknown, and an unknown condition passes, like a ``CHECK`` in the table. Anything else
(expressions, functions, joins, other lookups) is left to Django's own ``validate()``.
"""

from __future__ import annotations

import operator

from django.core.exceptions import ValidationError
from django.db import models

_COMPARE = {"exact": operator.eq, "gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}


class NotPlain(Exception):
    """The condition needs the database (an expression, a join, another lookup)."""


def _field_value(model, instance, name: str):
    try:
        field = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - a lookup path through a relation, an annotation...
        raise NotPlain(name) from None
    if not getattr(field, "concrete", False) or field.many_to_many or field.generated:
        raise NotPlain(name)
    return getattr(instance, field.attname)


def _lookup(model, instance, key: str, target, names: set[str]):
    """The truth of one ``key=target`` lookup: True, False or None (unknown)."""
    name, _sep, lookup = key.partition("__")
    lookup = lookup or "exact"
    if hasattr(target, "resolve_expression") or (lookup not in _COMPARE and lookup not in ("in", "isnull")):
        raise NotPlain(key)
    value = _field_value(model, instance, name)
    names.add(name)
    if lookup == "isnull" or (lookup == "exact" and target is None):
        is_null = value is None
        return is_null if lookup == "exact" or target else not is_null
    if value is None:
        return None
    if lookup == "in":
        targets = [t for t in target if t is not None]  # Django leaves NULL out of IN (...)
        if not targets or any(hasattr(t, "resolve_expression") for t in targets):
            raise NotPlain(key)
        return value in targets
    if target is None:
        return None
    return _COMPARE[lookup](value, target)


def _truth(model, instance, condition: models.Q, names: set[str]):
    results = []
    for child in condition.children:
        if isinstance(child, models.Q):
            results.append(_truth(model, instance, child, names))
        elif isinstance(child, tuple) and len(child) == 2:
            results.append(_lookup(model, instance, child[0], child[1], names))
        else:
            raise NotPlain(repr(child))
    if condition.connector == models.Q.AND:
        result = False if False in results else (None if None in results else True)
    elif condition.connector == models.Q.OR:
        result = True if True in results else (None if None in results else False)
    else:
        raise NotPlain(condition.connector)
    if condition.negated:
        result = None if result is None else not result
    return result


def validate_in_python(constraint, model, instance, exclude=()) -> bool:
    """Do what ``constraint.validate(model, instance, exclude=exclude)`` does, without a query,
    when the constraint is a ``CheckConstraint`` of plain lookups: raise its ValidationError
    when the row breaks it and return True; return False (nothing checked) otherwise."""
    if not isinstance(constraint, models.CheckConstraint):
        return False
    condition = constraint.condition
    if not isinstance(condition, models.Q):
        return False
    names: set[str] = set()
    try:
        truth = _truth(model, instance, condition, names)
    except NotPlain:
        return False
    if names & set(exclude or ()):
        return True  # Django skips a condition on a field that already failed
    if truth is False:
        raise ValidationError(constraint.get_violation_error_message(), code=constraint.violation_error_code)
    return True
