"""Where the aggregates learn that their source rows changed: every save and delete of a
production line, a base's accounts, plots, declared area or practice activity, and of a base
(moved to another school), and the bulk writes
that send no per-row signal (the Excel import, :data:`workstudy.signals.rows_bulk_created`).

The pairs a write touches are those before and after it (a line moved to another base or
year leaves one school-year and enters another). Raw saves (``loaddata``: a restore) are left
to ``manage.py rebuild_aggregates``.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_save

from . import maintain

_OLD = "_aggregates_old"


def _schools_of_bases(rows) -> dict[int, int]:
    """``{base_id: school_id}`` for the rows' bases, as the database has them now (1 query; a base
    object loaded on a row may be older than a move of that base to another school)."""
    from labor_bases.models import LaborBase

    base_ids = {row.base_id for row in rows if row.base_id is not None}
    return dict(LaborBase.objects.filter(pk__in=base_ids).values_list("pk", "school_id")) if base_ids else {}


def _line_states(lines) -> list[tuple]:
    """(school_id, year_id, price key) of each production line as saved."""
    schools = _schools_of_bases(lines)
    return [
        (schools.get(line.base_id), line.year_id, maintain.price_key(line.product, line.grade, line.unit))
        for line in lines
        if line.base_id is not None and line.year_id is not None
    ]


def _pairs(rows) -> set[tuple]:
    """(school_id, year_id) of rows that belong to a base (accounts, plots, declared areas) or
    directly to a school (practice activities)."""
    if rows and hasattr(rows[0], "school_id"):
        return {(row.school_id, row.year_id) for row in rows}
    schools = _schools_of_bases(rows)
    return {(schools.get(row.base_id), row.year_id) for row in rows}


def _remember(sender, instance, raw=False, **kwargs):
    """Before an update: the row as the database still has it (what the aggregates counted)."""
    if raw or instance.pk is None:
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    setattr(instance, _OLD, old)


def _line_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    old = instance.__dict__.pop(_OLD, None)
    _refresh_lines(_line_states([instance] + ([old] if old is not None else [])))


def _refresh_lines(states) -> None:
    maintain.refresh_school_years({(school_id, year_id) for school_id, year_id, _key in states})
    maintain.refresh_prices({(year_id, key) for _school_id, year_id, key in states})


def _year_rows_changed(sender, instance, raw=False, **kwargs):
    """Accounts, plots, declared areas, activities: their school-years before and after."""
    if raw:
        return
    rows = [instance]
    old = instance.__dict__.pop(_OLD, None)
    if old is not None:
        rows.append(old)
    maintain.refresh_school_years(_pairs(rows))


def _base_changed(sender, instance, raw=False, **kwargs):
    """A base moved to another school takes its years' figures along; a renamed one gives its
    school's years new tokens (the warnings name the base)."""
    if raw:
        return
    old = instance.__dict__.pop(_OLD, None)
    if old is None or (old.school_id, old.name) == (instance.school_id, instance.name):
        return
    from labor_bases.models import BaseYearArea, BaseYearFinance, LandParcel, ProductionLine

    years = set()
    for model in (ProductionLine, BaseYearFinance, LandParcel, BaseYearArea):
        years |= set(model.objects.filter(base_id=instance.pk).values_list("year_id", flat=True))
    maintain.refresh_school_years({(school, year) for school in (old.school_id, instance.school_id) for year in years})


def _remember_name(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    instance.__dict__[_OLD] = sender._default_manager.filter(pk=instance.pk).values_list("name", flat=True).first()


def _school_changed(sender, instance, raw=False, **kwargs):
    """A renamed school: its years get new tokens (its warnings print its name)."""
    old_name = instance.__dict__.pop(_OLD, None)
    if not raw and old_name is not None and old_name != instance.name:
        maintain.touch_schools([instance.pk])


def _bulk_created(sender, objs, **kwargs):
    from labor_bases.models import ProductionLine

    if sender is ProductionLine:
        _refresh_lines(_line_states(objs))
    elif sender in _year_models() and objs:
        maintain.refresh_school_years(_pairs(list(objs)))


def _year_models() -> tuple:
    from labor_bases.models import BaseYearArea, BaseYearFinance, LandParcel, StudentPracticeActivity

    return (BaseYearFinance, LandParcel, BaseYearArea, StudentPracticeActivity)


def connect() -> None:
    from labor_bases.models import LaborBase, ProductionLine
    from workstudy.models import School
    from workstudy.signals import rows_bulk_created

    for model, changed in ((ProductionLine, _line_changed), *((m, _year_rows_changed) for m in _year_models())):
        uid = f"aggregates.{model.__name__}"
        pre_save.connect(_remember, sender=model, dispatch_uid=f"{uid}.pre")
        post_save.connect(changed, sender=model, dispatch_uid=f"{uid}.post")
        post_delete.connect(changed, sender=model, dispatch_uid=f"{uid}.delete")
    pre_save.connect(_remember, sender=LaborBase, dispatch_uid="aggregates.LaborBase.pre")
    post_save.connect(_base_changed, sender=LaborBase, dispatch_uid="aggregates.LaborBase.post")
    rows_bulk_created.connect(_bulk_created, dispatch_uid="aggregates.bulk")
    pre_save.connect(_remember_name, sender=School, dispatch_uid="aggregates.School.pre")
    post_save.connect(_school_changed, sender=School, dispatch_uid="aggregates.School.post")
