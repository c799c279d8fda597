"""workstudy.constraints gives the same answer as Django's own CheckConstraint.validate() (a
query per row), on the project's real constraints and on conditions that exercise NULL, OR,
NOT and IN — and leaves what it cannot evaluate to Django."""

import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Abs

from enterprises.models import EnterpriseYearStat
from workstudy.constraints import validate_in_python
from workstudy.models import User

CONDITIONS = [
    Q(revenue__gte=0) & (Q(cost__isnull=True) | Q(cost__gte=0)),
    Q(cost__gt=Decimal("10.50")),
    ~Q(cost__lt=0),
    Q(cost__isnull=False) | Q(employees=0),
    Q(employees__in=[0, 3, None]),
    ~(Q(revenue__lte=5) & Q(cost=None)),
    Q(cost__exact=None) | Q(cost__lte=F("revenue")),  # an expression: left to Django
    Q(revenue__gte=Abs("cost")),  # a function: left to Django
]
VALUES = list(itertools.product([Decimal("0"), Decimal("12.00"), Decimal("-1")], [None, Decimal("0"), Decimal("11")], [0, 3]))


def _django(constraint, instance, exclude=()) -> bool:
    try:
        constraint.validate(EnterpriseYearStat, instance, exclude=exclude)
    except ValidationError:
        return False
    return True


def _ours(constraint, instance, exclude=()):
    try:
        handled = validate_in_python(constraint, EnterpriseYearStat, instance, exclude)
    except ValidationError as exc:
        assert exc.code == constraint.violation_error_code
        return False
    return True if handled else None


@pytest.mark.django_db
@pytest.mark.parametrize("condition", CONDITIONS, ids=[str(c) for c in CONDITIONS])
def test_same_answer_as_the_database(condition):
    constraint = models.CheckConstraint(condition=condition, name="t", violation_error_code="t_code")
    handled = 0
    for revenue, cost, employees in VALUES:
        row = EnterpriseYearStat(revenue=revenue, cost=cost, employees=employees)
        ours = _ours(constraint, row)
        if ours is None:
            continue  # not plain: Django's query decides
        handled += 1
        assert ours == _django(constraint, row), (condition, revenue, cost, employees)
    plain = "F(" not in str(condition) and "Abs(" not in str(condition)
    assert handled == (len(VALUES) if plain else 0)


@pytest.mark.django_db
def test_the_projects_constraints_and_excluded_fields():
    [_unique, non_negative] = EnterpriseYearStat._meta.constraints
    bad = EnterpriseYearStat(revenue=Decimal("-5"), cost=None, tax=Decimal("0"), employees=1)
    assert _ours(non_negative, bad) is False and _django(non_negative, bad) is False
    assert _ours(non_negative, bad, {"revenue"}) is True == _django(non_negative, bad, {"revenue"})
    good = EnterpriseYearStat(revenue=Decimal("5"), cost=Decimal("1"), tax=Decimal("0"), employees=1)
    assert _ours(non_negative, good) is True and _django(non_negative, good) is True
    principal_has_school = User._meta.constraints[0]
    assert validate_in_python(principal_has_school, User, User(role="staff")) is True
    with pytest.raises(ValidationError):
        validate_in_python(principal_has_school, User, User(role="principal"))
    assert validate_in_python(_unique, EnterpriseYearStat, good) is False  # not a check: Django's
