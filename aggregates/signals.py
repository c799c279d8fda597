"""Where the aggregates learn that their source rows changed: every save and delete of a
production line, a base's accounts or a base (moved to another school), and the bulk writes
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
    """``{base_id: school_id}`` for the rows' bases (the bases already loaded on them, else 1 query)."""
    from labor_bases.models import LaborBase

    found, missing = {}, set()
    for row in rows:
        base = row._state.fields_cache.get("base")
        if base is not None and base.pk == row.base_id:
            found[row.base_id] = base.school_id
        elif row.base_id is not None:
            missing.add(row.base_id)
    missing -= set(found)
    if missing:
        found.update(LaborBase.objects.filter(pk__in=missing).values_list("pk", "school_id"))
    return found


def _line_states(lines) -> list[tuple]:
    """(school_id, year_id, price key) of each production line as saved."""
    schools = _schools_of_bases(lines)
    return [
        (schools.get(line.base_id), line.year_id, maintain.price_key(line.product, line.grade, line.unit))
        for line in lines
        if line.base_id is not None and line.year_id is not None
    ]


def _pairs(accounts) -> set[tuple]:
    schools = _schools_of_bases(accounts)
    return {(schools.get(row.base_id), row.year_id) for row in accounts}


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


def _accounts_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    rows = [instance]
    old = instance.__dict__.pop(_OLD, None)
    if old is not None:
        rows.append(old)
    maintain.refresh_school_years(_pairs(rows))


def _base_changed(sender, instance, raw=False, **kwargs):
    """A base moved to another school takes its years' figures along."""
    if raw:
        return
    old = instance.__dict__.pop(_OLD, None)
    if old is None or old.school_id == instance.school_id:
        return
    from labor_bases.models import BaseYearFinance, ProductionLine

    years = set(ProductionLine.objects.filter(base_id=instance.pk).values_list("year_id", flat=True)) | set(
        BaseYearFinance.objects.filter(base_id=instance.pk).values_list("year_id", flat=True)
    )
    maintain.refresh_school_years({(school, year) for school in (old.school_id, instance.school_id) for year in years})


def _bulk_created(sender, objs, **kwargs):
    from labor_bases.models import BaseYearFinance, ProductionLine

    if sender is ProductionLine:
        _refresh_lines(_line_states(objs))
    elif sender is BaseYearFinance:
        maintain.refresh_school_years(_pairs(objs))


def connect() -> None:
    from labor_bases.models import BaseYearFinance, LaborBase, ProductionLine
    from workstudy.signals import rows_bulk_created

    for model, changed in ((ProductionLine, _line_changed), (BaseYearFinance, _accounts_changed)):
        uid = f"aggregates.{model.__name__}"
        pre_save.connect(_remember, sender=model, dispatch_uid=f"{uid}.pre")
        post_save.connect(changed, sender=model, dispatch_uid=f"{uid}.post")
        post_delete.connect(changed, sender=model, dispatch_uid=f"{uid}.delete")
    pre_save.connect(_remember, sender=LaborBase, dispatch_uid="aggregates.LaborBase.pre")
    post_save.connect(_base_changed, sender=LaborBase, dispatch_uid="aggregates.LaborBase.post")
    rows_bulk_created.connect(_bulk_created, dispatch_uid="aggregates.bulk")
