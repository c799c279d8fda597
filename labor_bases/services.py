"""Writes with logic of the labor-practice bases.

Next year in one step (:func:`year_setup_plan`, :func:`year_setup_copy`): a school's
set-up of last year — each base's declared total area, its plots (land type, crop,
area) and its product list (product, grade, unit) — copied into a new year. Figures are
never copied: a copied product line has quantity 0 and unit price 0 (so its value is
0) until the school fills them in; accounts and practice activities are not copied.

What already exists in the target year is skipped, so copying twice creates nothing
the second time. A plot counts as existing when the base has a plot of the same land
type (and note) and crop in the target year, a product when it has a line of the same
product, grade and unit; each existing row answers for one row of last year.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from workstudy import scoping
from workstudy.models import ReportingYear, School

from .models import ZERO, BaseYearArea, LaborBase, LandParcel, ProductionLine


@dataclass
class CopyItem:
    """One row of last year and what the copy does with it (``exists``: skipped)."""

    kind: str  # "area", "plot" or "line"
    base: LaborBase
    label: str
    source: BaseYearArea | LandParcel | ProductionLine
    exists: bool = False


@dataclass
class CopyPlan:
    school: School
    target: ReportingYear
    source_year: int
    items: list[CopyItem] = field(default_factory=list)
    inactive_bases: list[LaborBase] = field(default_factory=list)  # stopped: not copied

    @property
    def to_create(self) -> list[CopyItem]:
        return [item for item in self.items if not item.exists]

    @property
    def skipped(self) -> list[CopyItem]:
        return [item for item in self.items if item.exists]

    def by_base(self) -> list[tuple[LaborBase, list[CopyItem]]]:
        grouped: dict[int, tuple[LaborBase, list[CopyItem]]] = {}
        for item in self.items:
            grouped.setdefault(item.base.pk, (item.base, []))[1].append(item)
        return list(grouped.values())


def _plot_key(plot: LandParcel) -> tuple:
    return (plot.base_id, plot.land_type, plot.land_type_note.strip(), plot.crop.strip())


def _line_key(line: ProductionLine) -> tuple:
    return (line.base_id, line.product.strip(), line.grade.strip(), line.unit)


def _line_label(line: ProductionLine) -> str:
    grade = f"（{line.grade}）" if line.grade else ""
    return f"{line.product}{grade} · {line.get_unit_display()}"


def _plot_label(plot: LandParcel) -> str:
    crop = f" · {plot.crop}" if plot.crop else ""
    return f"{plot.land_type_label}{crop} · {plot.area_mu} {_('亩')}"


def year_setup_plan(*, school: School, target: ReportingYear) -> CopyPlan:
    """What copying ``school``'s set-up of ``target.year - 1`` into ``target`` would create,
    and what already exists there and is skipped (7 queries, nothing written)."""
    source_year = target.year - 1
    plan = CopyPlan(school=school, target=target, source_year=source_year)
    bases = {base.pk: base for base in LaborBase.objects.filter(school=school).order_by("name")}
    active = {pk for pk, base in bases.items() if base.active}
    rows = {
        model: list(model.objects.filter(base_id__in=list(bases), year_id__in=(source_year, target.pk)).order_by("pk"))
        for model in (BaseYearArea, LandParcel, ProductionLine)
    }
    had_data = set()
    for model, kind, key, label in (
        (BaseYearArea, "area", lambda r: (r.base_id,), lambda r: _("申报总面积 %(mu)s 亩") % {"mu": r.declared_total_mu}),
        (LandParcel, "plot", _plot_key, _plot_label),
        (ProductionLine, "line", _line_key, _line_label),
    ):
        taken: dict[tuple, int] = defaultdict(int)
        for row in rows[model]:
            if row.year_id == target.pk:
                taken[key(row)] += 1
        for row in rows[model]:
            if row.year_id != source_year:
                continue
            had_data.add(row.base_id)
            if row.base_id not in active:
                continue
            exists = taken[key(row)] > 0
            if exists:
                taken[key(row)] -= 1
            plan.items.append(CopyItem(kind=kind, base=bases[row.base_id], label=label(row), source=row, exists=exists))
    order = {pk: i for i, pk in enumerate(bases)}
    plan.items.sort(key=lambda item: order[item.base.pk])  # stable: area, plots, lines within a base
    plan.inactive_bases = [bases[pk] for pk in bases if pk in had_data and pk not in active]
    return plan


class CopyRefused(Exception):
    """A copied row failed its model's checks; ``str()`` names it for the user (nothing was written)."""


def year_setup_copy(*, user, school: School, target: ReportingYear) -> CopyPlan:
    """Copy ``school``'s set-up of last year into ``target`` (see the module's docstring).

    One transaction: every new row passes ``full_clean()`` before it is saved, and any
    refusal leaves the target year as it was. Raises ``PermissionDenied`` with
    :func:`workstudy.scoping.write_block_reason`'s reason when ``user`` may not write
    ``school``'s rows of ``target``, and :class:`CopyRefused` naming the row when a copied
    row fails its model's checks. Returns the plan that was carried out (its ``to_create``
    now exist).
    """
    reason = scoping.write_block_reason(user, school=school, year=target)
    if reason:
        raise PermissionDenied(reason)
    with transaction.atomic():
        # The year first (a lock of it committing meanwhile is seen), then the school: two
        # copies of the same school wait for each other, and the second finds the first's
        # rows and skips them. NO KEY: rows being inserted elsewhere may still refer to both.
        target = ReportingYear.objects.select_for_update(no_key=True).get(pk=target.pk)
        School.objects.select_for_update(no_key=True).filter(pk=school.pk).first()
        reason = scoping.write_block_reason(user, school=school, year=target)
        if reason:
            raise PermissionDenied(reason)
        plan = year_setup_plan(school=school, target=target)
        new_plots: dict[int, LandParcel] = {}
        kept_plots: dict[tuple, list[LandParcel]] = defaultdict(list)
        for plot in LandParcel.objects.filter(base__school=school, year=target).order_by("pk"):
            kept_plots[_plot_key(plot)].append(plot)
        for item in plan.items:
            if item.kind == "plot" and item.exists and kept_plots[_plot_key(item.source)]:
                new_plots[item.source.pk] = kept_plots[_plot_key(item.source)].pop(0)
        for item in plan.to_create:
            row = _copy_of(item, target, new_plots)
            try:
                row.full_clean()
            except ValidationError as exc:
                raise CopyRefused(
                    _("“%(base)s”的%(what)s无法复制：%(error)s") % {
                        "base": item.base.name, "what": item.label, "error": "；".join(exc.messages),
                    }
                ) from exc
            row.save()
            if item.kind == "plot":
                new_plots[item.source.pk] = row
    return plan


def _copy_of(item: CopyItem, target: ReportingYear, new_plots: dict[int, LandParcel]):
    src = item.source
    if item.kind == "area":
        return BaseYearArea(base=item.base, year=target, declared_total_mu=src.declared_total_mu)
    if item.kind == "plot":
        return LandParcel(base=item.base, year=target, land_type=src.land_type, land_type_note=src.land_type_note,
                          crop=src.crop, area_mu=src.area_mu)
    # A product without its figures: the model requires a quantity, so 0 until the school fills it in.
    return ProductionLine(base=item.base, year=target, product=src.product, grade=src.grade, unit=src.unit,
                          parcel=new_plots.get(src.parcel_id), quantity=Decimal("0"), unit_price=ZERO)
