"""Who may see and who may change which rows: the one place that decides.

Every entry point (views, admin, API viewsets, Excel import and export, reports,
history pages) asks this module. A model joins with one line, usually in its app's
``apps.py``::

    scoping.register(Plot, school="base__school", year="year")

``school`` is the lookup path from the model to its :class:`~workstudy.models.School`
(``None`` for bureau-level rows such as enterprises, which principals never see) and
``year`` the path to its :class:`~workstudy.models.ReportingYear` (``None`` for rows
that do not belong to one year). ``county`` is the path to the county
(:class:`~workstudy.models.Region`) the row belongs to; it defaults to the school's county
(``<school>__county``), and a bureau-level row names its own (``county`` for a row with a
county field, ``centre__county`` for a row of a service centre...).

Regions: every school belongs to one county; counties belong to a city (地级市), cities to a
province. A bureau user (staff, auditor) belongs to a region and reads only the rows of the
counties in it; another county's row is a 404, never a 403.

Reading: staff and auditors see their region's rows; a principal sees their own school's rows.
Writing: auditors never; city and province staff never (they read their counties' data; their
level's own act is its report to the level above, :func:`region_act_block_reason`); county staff
their county's rows while the row's year is not locked; a principal only their own school's
rows, while the year is open and their submission for it is a draft or was returned. The
reporting-year lock is still one for the whole deployment.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import locks
from .models import PRINCIPAL_EDITABLE_STATES, Region, ReportingYear, School, Submission, SubmissionStatus
from .prepared import prepared


@dataclass(frozen=True)
class Scope:
    school: str | None
    year: str | None
    county: str | None = None
    # Rows whose county path ends in nothing (a year's lock event, the year's summary
    # document) belong to the whole deployment: every bureau user reads them.
    shared_when_none: bool = False


_registry: dict[type[Model], Scope] = {}


def register(
    model: type[Model], *, school: str | None, year: str | None, county: str | None = None,
    shared_when_none: bool = False,
) -> None:
    """Declare how rows of ``model`` belong to a school, a reporting year and a county.

    ``county`` defaults to the county of the registered row the school path passes through
    (``enterprise__sponsor_school``: the enterprise's county, which a bureau-run enterprise has
    too), else to the school's county; a model whose rows belong to no school (bureau-level
    rows) must name the path to its county, or say with ``shared_when_none`` that its rows
    belong to the whole deployment."""
    if county is None and school is None and not shared_when_none:
        raise ValueError(f"{model.__name__}: a bureau-level model must say which county its rows belong to")
    _registry[model] = Scope(school=school, year=year, county=county, shared_when_none=shared_when_none)


def scope_of(model: type[Model]) -> Scope:
    try:
        return _registry[model]
    except KeyError:
        raise LookupError(f"{model.__name__} is not registered with workstudy.scoping") from None


def registered_models() -> list[type[Model]]:
    return list(_registry)


def _as_queryset(model_or_qs) -> QuerySet:
    if isinstance(model_or_qs, QuerySet):
        return model_or_qs
    return model_or_qs._default_manager.all()


def _is_reader(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


# -- regions --------------------------------------------------------------------------

READ_ONLY_REGION = gettext_lazy("市级和省级账号只能查看下辖县（市、区）的数据，不能修改。")
OTHER_COUNTY = gettext_lazy("您只能修改本县（市、区）的数据。")


def _is_bureau_reader(user) -> bool:
    return _is_reader(user) and (user.is_bureau or user.is_auditor)


def region_of(user) -> Region | None:
    """The region whose rows ``user`` reads: a bureau user's region, a principal's county."""
    if not _is_reader(user):
        return None
    if user.is_principal:
        return user.school.county if user.school_id else None
    return user.region if user.region_id else None


def county_ids(user) -> list[int]:
    """Ids of the counties whose rows ``user`` (staff or auditor) reads; kept on the user
    object for the request. A bureau user without a region reads nothing."""
    if not _is_bureau_reader(user):
        return []
    cached = getattr(user, "_scoping_county_ids", None)
    if cached is not None and cached[0] == user.region_id:
        return cached[1]
    ids = user.region.county_ids() if user.region_id else []
    try:
        user._scoping_county_ids = (user.region_id, ids)
    except AttributeError:
        pass
    return ids


def county_user(user) -> bool:
    """A bureau user (staff or auditor) of a county: the level that changes data today."""
    return _is_bureau_reader(user) and user.region_id is not None and user.region.level == Region.Level.COUNTY


def may_approve(user) -> bool:
    """Approve, return, lock, reopen, open a year: a county's director (city and province
    staff read only for now)."""
    return bool(_is_reader(user) and user.is_bureau and user.is_director and county_user(user))


def approver_refusal(user) -> str | None:
    """The refusal of a director's action (approve, return, lock, open a year...) to a bureau user
    above the county: the read-only message; None for others (their refusal is the role's)."""
    if _is_reader(user) and user.is_bureau and not county_user(user):
        return str(READ_ONLY_REGION)
    return None


_derived: dict[type[Model], str | None] = {}


def county_path(model) -> str | None:
    """The lookup path from ``model`` to its county (Region)."""
    if model is School:
        return "county"
    scope = scope_of(model)
    if scope.county is not None or scope.school is None:
        return scope.county
    if model not in _derived:
        _derived[model] = _derive_county_path(model, scope.school)
    return _derived[model]


def _derive_county_path(model, school_path: str) -> str:
    """Through the nearest registered row on the school path that names its own county."""
    parts = school_path.split("__")
    hops, current = [], model
    for part in parts[:-1]:
        current = current._meta.get_field(part).related_model
        hops.append((part, current))
    for i in range(len(hops), 0, -1):
        related = hops[i - 1][1]
        own = _registry.get(related)
        if own is not None and own.county is not None:
            return "__".join([p for p, _m in hops[:i]] + [own.county])
    return f"{school_path}__county"


def in_region(user, qs: QuerySet) -> QuerySet:
    """``qs`` narrowed to the counties of ``user``'s region (staff and auditors)."""
    ids = county_ids(user)
    path = county_path(qs.model)
    shared = qs.model is not School and scope_of(qs.model).shared_when_none
    if path is None:
        return qs if ids else qs.none()
    mine = Q(**{f"{path}_id": ids[0]}) if len(ids) == 1 else Q(**{f"{path}_id__in": ids})
    if shared and ids:
        mine |= Q(**{f"{path}__isnull": True})
    return qs.filter(mine)


def in_counties(qs: QuerySet, counties) -> QuerySet:
    """``qs`` narrowed to the rows of ``counties`` (county Regions or ids); ``None``: unchanged.

    A row reaches its county by its registered path (a school's rows through the school, a base's
    through ``base__school``, a bureau-level row through its own county field); a model not
    registered here but with a ``school`` field (per-school sums) through that school. Rows
    shared by the whole deployment (``shared_when_none``) are kept."""
    if counties is None:
        return qs
    ids = [getattr(c, "pk", c) for c in counties]
    model = qs.model
    if model is School or model in _registry:
        path = county_path(model)
        if path is None:
            return qs
    else:
        path = "school__county"
    mine = Q(**{f"{path}_id__in": ids})
    if model is not School and model in _registry and scope_of(model).shared_when_none:
        mine |= Q(**{f"{path}__isnull": True})
    return qs.filter(mine)


def schools_in(region: Region) -> QuerySet:
    """The schools of a region's counties (a county's own, a city's or a province's)."""
    return School.objects.filter(county__path__startswith=region.path)


def county_of(obj) -> int | None:
    """The id of the county ``obj`` (a School or a registered row) belongs to."""
    if isinstance(obj, School):
        return obj.county_id
    county = _follow_cheap(obj, county_path(type(obj)))
    return getattr(county, "pk", county)


def _county_readable(user, obj) -> bool:
    county = county_of(obj)
    if county is None and not isinstance(obj, School) and scope_of(type(obj)).shared_when_none:
        return bool(county_ids(user))
    return county is not None and county in county_ids(user)


def region_block_reason(user, *, school=None, county=None) -> str | None:
    """For a bureau user: why they may not change a row of ``school`` (a School or an id) or of
    ``county`` (a Region or an id): a city's or province's account, or another county's row.
    None for a county's own rows (and for principals, whose rule is their school)."""
    if not _is_bureau_reader(user):
        return None
    if not county_user(user):
        return str(READ_ONLY_REGION)
    if county is None and school is not None:
        county = (
            school.county_id
            if isinstance(school, School)
            else School.objects.filter(pk=school).values_list("county_id", flat=True).first()
        )
    county_id = getattr(county, "pk", county)
    if county_id is not None and county_id != user.region_id:
        return str(OTHER_COUNTY)
    return None


def regions_for(user) -> QuerySet:
    """The regions whose reports to the level above (``upward.RegionSubmission``) a bureau user
    (staff, auditor) reads: their own region and every region under it (a city: itself and its
    counties; a province: everything). Another region's report is a 404."""
    if not _is_bureau_reader(user) or not user.region_id:
        return Region.objects.none()
    return Region.objects.filter(path__startswith=user.region.path)


def region_act_block_reason(user, region: Region, *, from_above: bool) -> str | None:
    """Why ``user`` may not act on ``region``'s report to the level above; None when they may.

    ``from_above`` False: the region's own act (its report sent up): only a director of that
    region. ``from_above`` True: the review of the report (approve, return): only a director of the
    region above it (a city for its counties, a province for its cities). Auditors never act."""
    if not _is_reader(user):
        return _("请先登录。")
    if user.is_auditor:
        return _("审计账号只能查看，不能修改数据。")
    if not user.is_bureau or not user.region_id:
        return _("您没有修改权限。")
    if not user.is_director:
        return _("只有勤工办主任可以上报、审核或退回。")
    if from_above:
        if region.parent_id is None or user.region_id != region.parent_id:
            return _("只有%(parent)s勤工办主任可以审核或退回%(region)s的上报。") % {
                "parent": region.parent.name if region.parent_id else "", "region": region.name,
            }
    elif user.region_id != region.pk:
        return _("只有%(region)s勤工办主任可以上报%(region)s的数据。") % {"region": region.name}
    return None


def stamp_county(user, instance) -> None:
    """A new bureau-level row belongs to its creator's county (the row's own ``county`` field);
    rows that reach their county through a school or a parent row need nothing."""
    if county_path(type(instance)) != "county" or isinstance(instance, School):
        return
    school = _follow(instance, scope_of(type(instance)).school)
    if school is not None:  # a school's enterprise: the school's county
        instance.county_id = school.county_id
    elif getattr(instance, "county_id", None) is None and county_user(user):
        instance.county = user.region


def users_for(user) -> QuerySet:
    """The accounts a bureau user reads: their region's bureau users and its schools' principals."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.all()
    if not _is_bureau_reader(user) or not user.region_id:
        return users.none()
    path = user.region.path
    return users.filter(Q(region__path__startswith=path) | Q(school__county__path__startswith=path))


def narrow_choices(form, user) -> None:
    """Every choice of a school or of a registered row in ``form`` offers only what ``user``
    reads (a county's staff never see another county's service centres or schools listed)."""
    for field in form.fields.values():
        queryset = getattr(field, "queryset", None)
        if queryset is None or not isinstance(queryset, QuerySet):
            continue
        if queryset.model is School or queryset.model in _registry:
            offered = getattr(field.widget, "choices", None)
            field.queryset = visible(user, queryset)  # what is accepted
            if isinstance(offered, list):  # the form listed its own choices: they stay listed
                field.widget.choices = offered


def visible(user, model_or_qs) -> QuerySet:
    """Rows of ``model_or_qs`` that ``user`` may read."""
    qs = _as_queryset(model_or_qs)
    if not _is_reader(user):
        return qs.none()
    if user.is_bureau or user.is_auditor:
        return in_region(user, qs)
    if user.is_principal:
        if qs.model is School:
            return qs.filter(pk=user.school_id)
        scope = scope_of(qs.model)
        if scope.school is None:
            return qs.none()
        return qs.filter(**{f"{scope.school}_id": user.school_id})
    return qs.none()


def editable(user, model_or_qs) -> QuerySet:
    """Rows of ``model_or_qs`` that ``user`` may change (the queryset form of :func:`write_block_reason`)."""
    qs = visible(user, model_or_qs)
    if not _is_reader(user) or user.is_auditor:
        return qs.none()
    if user.is_bureau and not county_user(user):
        return qs.none()
    if qs.model is School:
        return qs if user.is_bureau else qs.none()
    scope = scope_of(qs.model)
    if scope.year is not None:
        qs = qs.exclude(locks.locked_rows(scope.year, county_path(qs.model)))
    if user.is_principal:
        if scope.year is not None:
            closed = Submission.objects.filter(
                school_id=OuterRef(f"{scope.school}_id"),
                year_id=OuterRef(f"{scope.year}_id"),
            ).exclude(status__in=PRINCIPAL_EDITABLE_STATES)
            qs = qs.filter(~Exists(closed))
    return qs


def _year_obj(year) -> ReportingYear | None:
    if year is None or isinstance(year, ReportingYear):
        return year
    return ReportingYear.objects.filter(pk=int(year)).first()


def _year_of_row(user, year_obj: ReportingYear, *, school, county, shared: bool) -> ReportingYear:
    """``year_obj`` as the row's county sees it (locked by the county's own lock): the county of
    ``school`` or ``county``, else (a bureau-level row being written) the user's county. For a
    row shared by every county (``shared``), locked once any county has locked."""
    county_id = getattr(county, "pk", county)
    if county_id is None and school is not None:
        county_id = (school.county_id if isinstance(school, School)
                     else School.objects.filter(pk=school).values_list("county_id", flat=True).first())
    if county_id is None and not shared:
        county_id = locks.county_of_user(user)
    if county_id is not None:
        return locks.for_county(year_obj, county_id)
    if not year_obj.is_locked and locks.shared_locked(year_obj):
        first = min(locks.county_locks(year_obj).values(), key=lambda lock: lock.locked_at)
        return locks.for_county(year_obj, first.county_id)
    return year_obj


def write_block_reason(user, *, school, year, model=None, county=None, shared=False) -> str | None:
    """Why ``user`` may not write a row of ``school`` (School, id or None) in ``year``; with
    ``model``, a row of that model (rows of a model that belongs to no school are the bureau's);
    with ``county`` (Region or id), a bureau-level row of that county; ``shared``: a row of no
    county, printed by every county's summary.

    Returns ``None`` when writing is allowed, otherwise a sentence for the user. The one answer
    for pages, the API and Excel imports.
    """
    if not _is_reader(user):
        return _("请先登录。")
    if user.is_auditor:
        return _("审计账号只能查看，不能修改数据。")
    if model is not None and scope_of(model).school is None and not user.is_bureau:
        return _("此类数据由勤工办维护。")
    region_reason = region_block_reason(user, school=school, county=county)
    if region_reason:
        return region_reason
    school_id = school.pk if isinstance(school, School) else school
    year_obj = _year_obj(year)
    if year is not None and year_obj is None:
        return _("该统计年度不存在。")
    if year_obj is not None:
        year_obj = _year_of_row(user, year_obj, school=school, county=county, shared=shared)
    if year_obj is not None and year_obj.is_locked:
        when = year_obj.locked_at.astimezone().strftime("%Y-%m-%d") if year_obj.locked_at else ""
        who = year_obj.locked_by.get_full_name() or year_obj.locked_by.username if year_obj.locked_by else ""
        return _("%(year)s 年度已于 %(when)s 由 %(who)s 锁定，数据只读。如确需修改，请联系勤工办主任重新开放该年度。") % {
            "year": year_obj.year, "when": when, "who": who,
        }
    if user.is_bureau:
        return None
    if user.is_principal:
        if school_id is None or school_id != user.school_id:
            return _("您只能填报本校的数据。")
        if year_obj is not None:
            status = _return_status.first(school_id, year_obj.pk) or SubmissionStatus.DRAFT
            if status == SubmissionStatus.SUBMITTED:
                return _("本校 %(year)s 年度数据已上报，正在等待勤工办审核，暂不能修改。如需修改，请联系勤工办退回。") % {
                    "year": year_obj.year
                }
            if status == SubmissionStatus.APPROVED:
                return _("本校 %(year)s 年度数据已审核通过，不能再修改。如需修改，请联系勤工办。") % {"year": year_obj.year}
        return None
    return _("您没有修改权限。")


@prepared(int, int)
def _return_status(school_id: int, year: int):
    """The status of a school's return for a year (none, or one: a school has one return a year)."""
    return Submission.objects.filter(school_id=school_id, year_id=year).order_by().values_list("status", flat=True)


def check_write(user, *, school, year) -> None:
    reason = write_block_reason(user, school=school, year=year)
    if reason:
        raise PermissionDenied(reason)


def _follow(obj, path: str | None):
    if path is None:
        return None
    for part in path.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, part)
    return obj


def _follow_cheap(obj, path: str | None):
    """The row at the end of ``path`` if it is already loaded, else its primary key (no query
    for the last step; callers accept either)."""
    if path is None:
        return None
    *head, last = path.split("__")
    for part in head:
        obj = getattr(obj, part)
        if obj is None:
            return None
    field = obj._meta.get_field(last)
    if field.is_cached(obj):
        return field.get_cached_value(obj)  # None for a required relation not set yet, without raising
    return getattr(obj, f"{last}_id")


def school_of(obj) -> School | None:
    if isinstance(obj, School):
        return obj
    return _follow(obj, scope_of(type(obj)).school)


def year_of(obj) -> ReportingYear | None:
    return _follow(obj, scope_of(type(obj)).year)


def can_read(user, obj) -> bool:
    if not _is_reader(user):
        return False
    if user.is_bureau or user.is_auditor:
        return _county_readable(user, obj)
    if not user.is_principal:
        return False
    if isinstance(obj, School):
        return obj.pk == user.school_id
    scope = scope_of(type(obj))
    if scope.school is None:
        return False
    school = school_of(obj)
    return school is not None and school.pk == user.school_id


def obj_write_block_reason(user, obj, memo: dict | None = None) -> str | None:
    """Why ``user`` may not change ``obj`` (None: they may).

    ``memo`` (a dict kept for one request) lets a page ask for each of its rows with one
    look-up per (school, year) instead of one per row; the answer is the same.
    """
    if isinstance(obj, School):
        if not can_read(user, obj):
            return _("您没有修改权限。")
        if not user.is_bureau:
            return _("学校基本信息由勤工办维护。")
        return region_block_reason(user, county=obj.county_id)
    scope = scope_of(type(obj))
    school = _follow_cheap(obj, scope.school)
    year = _follow_cheap(obj, scope.year)
    county = county_of(obj)
    school_id, year_id = getattr(school, "pk", school), getattr(year, "pk", year)
    key = (scope.school is None, school_id, year_id, county)
    if memo is not None and key in memo:
        return memo[key]
    if not _is_reader(user) or not (
        ((user.is_bureau or user.is_auditor) and (
            (county is None and (obj._state.adding or scope.shared_when_none)) or county in county_ids(user)))
        or (user.is_principal and school_id is not None and school_id == user.school_id)
    ):
        reason = _("您没有修改权限。")
    else:
        shared = county is None and school is None and not obj._state.adding
        reason = write_block_reason(user, school=school, year=year, model=type(obj), county=county, shared=shared)
    if memo is not None:
        memo[key] = reason
    return reason


def row_write_block_reason(user, obj) -> str | None:
    """:func:`obj_write_block_reason` for the rows of one page: answers are kept on the
    request's user object (one per request), so a list of 50 rows costs a query or two."""
    memo = getattr(user, "_scoping_write_memo", None)
    if memo is None:
        memo = {}
        try:
            user._scoping_write_memo = memo
        except AttributeError:  # an object that takes no attributes: ask without a memo
            memo = None
    return obj_write_block_reason(user, obj, memo)


def can_write(user, obj) -> bool:
    return obj_write_block_reason(user, obj) is None


def check_obj_write(user, obj, memo: dict | None = None) -> None:
    reason = obj_write_block_reason(user, obj, memo)
    if reason:
        raise PermissionDenied(reason)


def get_visible_or_404(user, model_or_qs, **lookups):
    """The object matching ``lookups`` if ``user`` may read it, else 404 (never 403)."""
    try:
        return visible(user, model_or_qs).get(**lookups)
    except (_as_queryset(model_or_qs).model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_writable_or_404(user, model_or_qs, *, memo: dict | None = None, **lookups):
    """404 if not visible; 403 with the reason if visible but not writable (``memo``: as for
    :func:`obj_write_block_reason`)."""
    obj = get_visible_or_404(user, model_or_qs, **lookups)
    check_obj_write(user, obj, memo)
    return obj


def _is_blank_submission():
    """Returns opened with a year and never touched: they hold no data of the year."""
    return Q(
        status=SubmissionStatus.DRAFT, staff_count__isnull=True, student_count__isnull=True,
        boarding_count__isnull=True, poor_student_count__isnull=True, explanation="", returned_reason="",
    )


def year_references(year, *, first_only: bool = False) -> list[tuple[str, int]]:
    """What refers to ``year``: ``[(kind of row, how many), ...]``, empty when the year holds
    no data. The blank returns opened with the year and uploads waiting for confirmation
    are not data (they go with the year); every other table that refers to it is.
    """
    from django.apps import apps as django_apps

    from .models import ImportUpload

    year_id = getattr(year, "pk", year)
    found = []
    seen = set()
    for model in django_apps.get_models():
        if hasattr(model, "instance_type") or model is ImportUpload:  # change history; pending uploads
            continue
        for field in model._meta.concrete_fields:
            if not (field.is_relation and field.related_model is ReportingYear) or (model, field.name) in seen:
                continue
            seen.add((model, field.name))
            qs = model._base_manager.filter(**{f"{field.name}_id": year_id})  # every row, whatever a manager hides
            if model is Submission:
                qs = qs.exclude(_is_blank_submission())
            if first_only:
                if qs.exists():
                    return [(str(model._meta.verbose_name), 1)]
                continue
            count = qs.count()
            if count:
                found.append((str(model._meta.verbose_name), count))
    return found


def current_year(county=None, *, years: list[ReportingYear] | None = None) -> ReportingYear | None:
    """The year in progress: the default year of every page, picker and form.

    The one rule: the newest **open** year that is not an empty future year (a year after
    the current calendar year in which nothing has been entered yet). When no open year
    qualifies, the newest such year even if locked; when only empty future years exist,
    the oldest of them. So opening next year early never moves anyone's pages onto an
    empty year; the year becomes the default once its calendar year starts or once data
    is entered in it. With ``county``, "open" is open for that county (not locked by it).
    ``years``: every reporting year, newest first, when the caller has read them already.
    """
    years = locks.all_years() if years is None else years
    this_year = timezone.localdate().year

    def begun(year: ReportingYear) -> bool:
        return year.year <= this_year or bool(year_references(year, first_only=True))

    for year in years:
        if not locks.is_locked(year, county) and begun(year):
            return year
    for year in years:
        if begun(year):
            return year
    return years[-1] if years else None


def entry_years(county=None) -> QuerySet:
    """Years data may be entered in (forms, Excel import): the open ones, newest first; with
    ``county`` (a Region or id), the ones that county has not locked."""
    years = ReportingYear.objects.filter(status=ReportingYear.Status.OPEN).order_by("-year")
    if county is not None:
        years = years.exclude(county_locks__county_id=getattr(county, "pk", county))
    return years


def default_entry_year(county=None) -> ReportingYear | None:
    """The year an entry page (form, Excel import) starts on: the year in progress when it
    is open, else the newest open year (None when every year is locked)."""
    year = current_year(county)
    if year is not None and not locks.is_locked(year, county):
        return year
    return entry_years(county).first()


def schools_for(user) -> QuerySet:
    return visible(user, School.objects.all())


def filter_school_year(qs: QuerySet, *, school=None, year=None) -> QuerySet:
    """Narrow a registered model's rows to a school and/or year, whatever their paths."""
    scope = scope_of(qs.model)
    if school is not None:
        if scope.school is None:
            return qs.none()
        qs = qs.filter(**{f"{scope.school}_id": getattr(school, "pk", school)})
    if year is not None and scope.year is not None:
        qs = qs.filter(**{f"{scope.year}_id": getattr(year, "pk", year)})
    return qs


__all__ = [
    "register", "scope_of", "registered_models", "visible", "editable", "write_block_reason",
    "check_write", "can_read", "can_write", "check_obj_write", "obj_write_block_reason",
    "get_visible_or_404", "get_writable_or_404", "schools_for", "school_of", "year_of",
    "filter_school_year", "row_write_block_reason", "year_references", "current_year", "entry_years",
    "default_entry_year", "region_of", "county_ids", "county_user", "may_approve", "in_region", "in_counties",
    "schools_in",
    "county_of", "region_block_reason", "stamp_county", "READ_ONLY_REGION", "OTHER_COUNTY",
]
