"""Validation rules: named, listed in one place, worded for the person entering data.

Each app declares its rules in its own ``rules.py`` with :func:`rule` and uses them in
two ways:

* **errors** block saving. A model's ``clean()`` calls ``RULE.fail(field=...)`` (or
  ``RULE.check(condition, ...)``), which raises a ``ValidationError`` carrying the rule's
  code and its Chinese message;
* **warnings** never block saving. A rule with a ``year_check`` function is run for a
  year (and optionally one school) by :func:`findings`; the results show on the
  principal's review screen, the staff grid and the summary's data-quality appendix.

``/rules/`` lists every registered rule for users.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .lazystr import LazyStr

ERROR = "error"
WARNING = "warning"
SEVERITY_LABELS = {ERROR: _("错误（不能保存）"), WARNING: _("提醒（可保存，审核时查看）")}


@dataclass(frozen=True)
class Finding:
    """A warning found in saved data, for the review screen and the appendix."""

    rule: Rule
    message: str
    school_id: int | None = None
    school_name: str = ""
    obj_label: str = ""
    url: str = ""
    # The same warning in every language and on every page: what a principal's explanation and
    # staff's acceptance are attached to (see :func:`finding_key`).
    key: str = ""


def finding_key(code: str, school_id, obj, url, params: dict) -> str:
    """A warning's identity: its rule, school, row (its model and primary key), the page it links
    to and the numbers it names - never its wording or any translated text, so it is the same in
    Chinese and English; a changed number is a new warning."""
    meta = getattr(obj, "_meta", None)
    row = f"{meta.label_lower}:{obj.pk}" if meta is not None else ("" if obj is None else str(obj))
    # A lazy link is kept as its view and arguments, never resolved here (a reverse() per warning
    # was a fifth of a province's warnings).
    link = _url_kept(url) if isinstance(url, LazyStr) or url else ""
    numbers = sorted((k, str(v)) for k, v in params.items() if isinstance(v, (int, float, Decimal)))
    text = json.dumps([code, school_id, row, link, numbers], ensure_ascii=False, sort_keys=True)
    return hashlib.sha1(text.encode()).hexdigest()  # noqa: S324 - an identity, not a secret


@dataclass(frozen=True, eq=False)
class Rule:
    code: str
    severity: str
    title: str
    message: str
    module: str = ""
    year_check: Callable[[int, int | None], Iterable[Finding]] | None = field(default=None, repr=False)

    def error(self, field_name: str | None = None, **params) -> ValidationError:
        text = str(self.message) % params if params else str(self.message)
        error = ValidationError(text, code=self.code)
        if field_name:
            return ValidationError({field_name: [error]})
        return error

    def fail(self, field_name: str | None = None, **params):
        raise self.error(field_name, **params)

    def check(self, ok: bool, field_name: str | None = None, **params) -> None:
        if not ok:
            self.fail(field_name, **params)

    def finding(self, *, school=None, obj=None, url: str = "", **params) -> Finding:
        text = str(self.message) % params if params else str(self.message)
        school_id = getattr(school, "pk", school)
        obj_label = str(obj) if obj is not None else ""
        return Finding(
            rule=self,
            message=text,
            school_id=school_id,
            school_name=str(school) if school is not None and not isinstance(school, int) else "",
            obj_label=obj_label,
            url=url,
            key=finding_key(self.code, school_id, obj, url, params),
        )


RULES: dict[str, Rule] = {}


def rule(code: str, severity: str, title, message, *, module: str = "") -> Rule:
    """Register a rule. ``message`` may use ``%(name)s`` placeholders."""
    if code in RULES:
        raise ValueError(f"duplicate rule code {code}")
    if severity not in (ERROR, WARNING):
        raise ValueError(severity)
    registered = Rule(code=code, severity=severity, title=title, message=message, module=module)
    RULES[code] = registered
    return registered


def year_check(registered: Rule, *also: Rule):
    """Decorator attaching a function ``(year, school_id|None) -> findings`` to a warning rule.

    The function may read its own app's data (the rule's ``module``) and the core's
    (schools, years, returns): its warnings are kept until one of those changes (see
    :func:`findings`). ``also``: rules of the same module whose warnings the function finds too,
    from the rows it reads for ``registered`` (one query for several rules); it is attached to
    ``registered`` only, and returns each rule's warnings after those of the rules before it."""

    if any(other.module != registered.module for other in also):
        raise ValueError(f"{registered.code}: one check finds the warnings of one module's rules")

    def decorate(func):
        RULES[registered.code] = Rule(
            code=registered.code, severity=registered.severity, title=registered.title,
            message=registered.message, module=registered.module, year_check=func,
        )
        return func

    return decorate


def findings(year: int, school_id: int | None = None, module: str | None = None) -> list[Finding]:
    """Every open warning for ``year`` (optionally one school, or one module's rules), from every app.

    The checks read whole tables (at province size hundreds of thousands of rows), so each
    module's warnings are kept in this process until its data changes, i.e. while the data
    stamp of ``workstudy.freshness`` for that app and the core (their data versions, raised
    when a write to their tables commits) stays the same: a new claim does not make the
    labor-base checks run again. A module that says which schools changed
    (:func:`school_changes`) has only those schools checked again after a change
    (:func:`_fresh`). One copy per language (the messages are written in the reader's
    language). Inside a transaction (a test, an import) always computed afresh.

    A locked year's warnings are not computed: they are read as they were at its lock
    (:func:`freeze_findings`), so renaming a school or a base later changes none of them.
    """
    stamps = _data_stamps()
    found: list[Finding] = []
    kept = _UNREAD  # a locked year's frozen warnings, read at the first module not remembered
    for name in _modules(module):
        stamp = None if stamps is None else _module_stamp(name, stamps)
        key = (int(year), school_id, name, get_language())
        memo, size = (_memo, _MEMO_SIZE) if school_id is None else (_school_memo, _SCHOOL_MEMO_SIZE)
        before = None
        if stamp is not None:
            with _memo_lock:
                before = memo.get(key)
                if before is not None and before.stamp == stamp and time.monotonic() - before.at < _MEMO_TTL:
                    memo.move_to_end(key)
                    found.extend(before.found)
                    continue
        if kept is _UNREAD:
            kept = _frozen_as_of(year, stamps)
        if kept is not None:  # a locked year: its warnings as they read at the lock
            part = [f for f in kept if f.rule.module == name and (school_id is None or f.school_id == school_id)]
            entry = _Kept(stamp, time.monotonic(), tuple(part))
        else:
            entry = _fresh(year, school_id, name, stamp, before if stamp is not None else None)
        found.extend(entry.found)
        if stamp is not None:
            with _memo_lock:
                memo[key] = entry
                while len(memo) > size:
                    memo.popitem(last=False)
    return found


@dataclass(frozen=True)
class _Kept:
    """One module's warnings of a year as this process last read them: under which data stamp and
    when; for a module that tracks its schools (:func:`school_changes`, :func:`school_reads`), what
    its tracker read then and when the schools were last checked."""

    stamp: str | None
    at: float
    found: tuple
    state: object = None
    checked_at: float = 0.0  # when every school (for one school's warnings: that school) was last checked


def _fresh(year: int, school_id: int | None, module: str, stamp, before: _Kept | None) -> _Kept:
    """``module``'s warnings on the data as it is now. For the whole year of a module that says
    which of its schools changed (:func:`school_changes`), only those schools are checked again
    and the others' warnings are kept from ``before``; every school is checked again when the
    tracker says so (too many changed), when nothing is kept, and every :data:`_MEMO_TTL` seconds."""
    now = time.monotonic()
    if school_id is not None and module in _SCHOOL_READS:
        return _fresh_school(year, school_id, module, stamp, before, now)
    tracker = _SCHOOL_CHANGES.get(module) if school_id is None else None
    if tracker is None:
        return _Kept(stamp, now, tuple(_check(year, school_id, module)))
    usable = before is not None and before.state is not None and 0 <= now - before.checked_at < _MEMO_TTL
    state, changed = tracker(int(year), before.state if usable else None)  # read before the data it guards
    if not usable or changed is None:
        return _Kept(stamp, now, _ordered(_check(year, None, module)), state, now)
    if not changed:
        return _Kept(stamp, now, before.found, state, before.checked_at)
    unchanged = [f for f in before.found if f.school_id not in changed]
    rechecked = _check(year, frozenset(changed), module)  # together, in the queries of one school's check
    return _Kept(stamp, now, _ordered(unchanged + rechecked), state, before.checked_at)


def _fresh_school(year: int, school_id: int, module: str, stamp, before: _Kept | None, now: float) -> _Kept:
    """One school's warnings of a module that says what they read (:func:`school_reads`): kept
    from ``before`` while the school's reads are what they were (its check not run again, though
    other schools' data changed), else checked again; every :data:`_MEMO_TTL` seconds in any case."""
    state = _SCHOOL_READS[module](int(year), school_id)  # read before the data it guards
    if before is not None and before.state == state and 0 <= now - before.checked_at < _MEMO_TTL:
        return _Kept(stamp, now, before.found, state, before.checked_at)
    return _Kept(stamp, now, tuple(_check(year, school_id, module)), state, now)


def _ordered(found: list[Finding]) -> tuple:
    """A year's warnings of a tracked module in one order however they were found: by rule, school, row."""
    order = {code: n for n, code in enumerate(RULES)}
    return tuple(sorted(found, key=lambda f: (order.get(f.rule.code, -1), f.school_id or 0, f.obj_label, f.key)))


# Module -> its tracker: ``(year, state or None) -> (state, changed school ids or None)``.
_SCHOOL_CHANGES: dict[str, Callable] = {}


def school_changes(module: str):
    """Decorator registering ``module``'s tracker: a function ``(year, state)`` returning what it
    reads now (any picklable value, compared by the function itself) and the ids of the schools
    whose warnings of ``year`` may differ from when it returned ``state`` (None: check every
    school, e.g. when ``state`` is None or when that is cheaper than checking those one by one).
    A module with a tracker has only school warnings; its checks must give for one school (its
    id), or for several (a frozenset of ids: the changed schools, checked again together),
    exactly those schools' part of the whole year's warnings."""

    def decorate(func):
        _SCHOOL_CHANGES[module] = func
        return func

    return decorate


# Module -> ``(year, school_id) -> state``: see school_reads.
_SCHOOL_READS: dict[str, Callable] = {}


def school_reads(module: str):
    """Decorator registering ``module``'s reader of what one school's checks depend on: a
    function ``(year, school_id)`` returning a comparable value (one query) that differs whenever
    that school's warnings of ``year`` may differ. While it returns what it returned at the
    school's last check, the school's kept warnings are used (a principal's page after other
    schools' saves runs no check); the test suite compares them with a fresh check after random
    changes."""

    def decorate(func):
        _SCHOOL_READS[module] = func
        return func

    return decorate


def _check(year: int, school_id: int | None, module: str) -> list[Finding]:
    """Run ``module``'s warning checks on the data as it is now (reading only what its stamp
    follows, :func:`_stamp_apps`; the test suite checks it)."""
    from . import freshness

    def run() -> list[Finding]:
        return [
            finding
            for registered in RULES.values() if registered.year_check is not None and registered.module == module
            for finding in registered.year_check(year, school_id)
        ]

    return freshness.reads_checked(f"the warnings of {module}", run, _stamp_apps(module))()


_UNREAD = object()


def _language() -> str:
    from django.conf import settings
    from django.utils.translation import get_supported_language_variant

    try:
        return get_supported_language_variant(get_language() or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


def freeze_findings(year: int) -> None:
    """Keep ``year``'s open warnings as they read now (at its lock), in every language of the
    portal, for :func:`findings` to return while the year stays locked."""
    from django.conf import settings
    from django.utils import translation

    from .models import FrozenFindings

    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            rows = [
                {"code": f.rule.code, "module": f.rule.module, "title": str(f.rule.title), "message": f.message,
                 "school_id": f.school_id, "school_name": f.school_name, "object": f.obj_label, "url": _url_kept(f.url),
                 "key": f.key}
                for name in _modules(None)
                for f in _check(int(year), None, name)
            ]
        FrozenFindings.objects.update_or_create(year_id=int(year), language=language, defaults={"rows": rows})


def thaw_findings(year: int) -> None:
    """A reopened year's warnings follow its data again."""
    from .models import FrozenFindings

    FrozenFindings.objects.filter(year_id=int(year)).delete()


def _frozen(year: int) -> list[Finding] | None:
    """The warnings kept at ``year``'s lock in the reader's language, or None (an open year, or
    one locked before warnings were kept: computed then)."""
    from .models import FrozenFindings, ReportingYear

    rows = (FrozenFindings.objects.filter(year_id=int(year), year__status=ReportingYear.Status.LOCKED,
                                          language=_language())
            .values_list("rows", flat=True).first())
    if rows is None:
        return None
    found = []
    for row in rows:
        current = RULES.get(row["code"])
        kept = Rule(code=row["code"], severity=WARNING, title=row["title"],
                    message=current.message if current is not None else "", module=row["module"])
        found.append(Finding(rule=kept, message=row["message"], school_id=row["school_id"],
                             school_name=row["school_name"], obj_label=row["object"], url=_url_read(row["url"]),
                             key=row.get("key", "")))
    return found


# Whether a year's warnings are frozen, and which, changes only when the year is locked or
# reopened: that raises the core's stamp, and the warnings are frozen and thawed in the same
# transaction. So they are read once per year, language and core stamp, not on every page that
# checks a module again after its data changed.
_frozen_memo: OrderedDict = OrderedDict()
_FROZEN_MEMO_SIZE = 16


def _frozen_as_of(year: int, stamps: dict | None) -> list[Finding] | None:
    """:func:`_frozen`, kept in this process under the core's data stamp (read afresh inside a
    transaction, where ``stamps`` is None)."""
    if stamps is None:
        return _frozen(year)
    from . import freshness

    key = (int(year), _language(), stamps.get(freshness.CORE_APP))
    with _memo_lock:
        hit = _frozen_memo.get(key)
    if hit is not None and time.monotonic() - hit[0] < _MEMO_TTL:
        return hit[1]
    found = _frozen(year)
    with _memo_lock:
        _frozen_memo[key] = (time.monotonic(), found)
        while len(_frozen_memo) > _FROZEN_MEMO_SIZE:
            _frozen_memo.popitem(last=False)
    return found


def _url_kept(url):
    """A finding's link as JSON: a :func:`finding_url` as its view and arguments (resolved when a
    page prints it, like a live finding's), any other as its text."""
    if isinstance(url, LazyStr) and url._func is _resolve_url:
        viewname, args, kwargs, query = url._args
        return {"view": viewname, "args": list(args), "kwargs": kwargs, "query": query}
    return str(url or "")


def _url_read(kept):
    if isinstance(kept, dict):
        return finding_url(kept["view"], args=kept["args"], kwargs=kept["kwargs"], query=kept["query"])
    return kept


def _modules(module: str | None) -> list[str]:
    """The modules with checks, in the rules' registration order."""
    names = dict.fromkeys(r.module for r in RULES.values() if r.year_check is not None)
    return [name for name in names if module is None or name == module]


def count_by_rule(found: Iterable[Finding]) -> list[tuple[Rule, int, int]]:
    """``[(rule, findings, schools concerned)]`` in rule-code order (overviews and the summary
    show these counts where a province's thousands of warnings cannot be listed)."""
    groups: dict[str, tuple[Rule, list[int], set[int]]] = {}
    for f in found:
        rule, count, schools = groups.setdefault(f.rule.code, (f.rule, [0], set()))
        count[0] += 1
        if f.school_id:
            schools.add(f.school_id)
    return [(rule, count[0], len(schools)) for _code, (rule, count, schools) in sorted(groups.items())]


# The whole years' warnings and each school's, kept apart: the schools' pages of a county's
# hundreds of principals must not push out the year's, which are the dearest to check again.
_memo: OrderedDict = OrderedDict()
_school_memo: OrderedDict = OrderedDict()
_memo_lock = threading.Lock()


def forget_kept() -> None:
    """Drop every warning this process keeps (a test starting on another database)."""
    with _memo_lock:
        _memo.clear()
        _school_memo.clear()
        _frozen_memo.clear()


_MEMO_SIZE = 256
_SCHOOL_MEMO_SIZE = 8192  # a county's schools times the modules; an entry is a few warnings
# Like the shared cache's entries (freshness.TTL): if a data version was not raised (a process
# died between its commit and the bump), the warnings are at most this old.
_MEMO_TTL = 600


def _data_stamps() -> dict[str, int] | None:
    from django.db import connection

    if connection.in_atomic_block:
        return None
    from . import freshness

    return freshness.stamps()


# Modules whose checks read the schools' returns (:data:`workstudy.freshness.RETURNS`): their
# warnings are checked again when a return changes, the others' only when their own data does.
READS_RETURNS: set[str] = set()


def _stamp_apps(module: str) -> list[str] | None:
    from . import freshness

    if not module:
        return None  # no module: every table
    return [module, freshness.RETURNS] if module in READS_RETURNS else [module]


def _module_stamp(module: str, stamps: dict[str, int]) -> str:
    from . import freshness

    return freshness.generation(_stamp_apps(module), now=stamps)


# A change from last year larger than this share (50%) is flagged and must be explained:
# the labor bases' area and income (LB-05, CORE-05) and the enterprises' revenue (ENT-05).
SWING_LIMIT = Decimal("0.5")

# Core rules (schools and submissions). Apps add theirs in their own rules.py.
VALUE_IN_RANGE = rule(
    "CORE-01", ERROR, _("数值在允许范围内"),
    _("%(label)s应在 %(low)s 至 %(high)s%(unit)s之间。"), module="workstudy",
)
POOR_LE_STUDENTS = rule(
    "CORE-02", ERROR, _("贫困生不超过学生总数"),
    _("贫困家庭学生人数（%(poor)s）不能超过学生人数（%(students)s）。"), module="workstudy",
)
BOARDING_LE_STUDENTS = rule(
    "CORE-03", ERROR, _("寄宿生不超过学生总数"),
    _("寄宿生人数（%(boarding)s）不能超过学生人数（%(students)s）。"), module="workstudy",
)
SUBMISSION_COUNTS_REQUIRED = rule(
    "CORE-04", ERROR, _("上报前须填写基本人数"),
    _("上报前请先填写本年度教职工人数和学生人数。"), module="workstudy",
)
BIG_SWING_EXPLAINED = rule(
    "CORE-05", ERROR, _("大幅变化须说明"),
    _("%(what)s较上年变化 %(pct)s%%，超过 50%%，上报前请在“较上年大幅变化的说明”中写明原因。"),
    module="workstudy",
)


def check_submission_counts(submission) -> None:
    students = submission.student_count
    if students is None:
        return
    poor, boarding = submission.poor_student_count, submission.boarding_count
    collect(
        lambda: POOR_LE_STUDENTS.check(
            poor is None or poor <= students, "poor_student_count", poor=poor, students=students),
        lambda: BOARDING_LE_STUDENTS.check(
            boarding is None or boarding <= students, "boarding_count", boarding=boarding, students=students),
    )


def collect(*checks) -> None:
    """Run every check (callables raising ValidationError) and raise all their errors together,
    so the person entering data sees every problem at once, next to each field."""
    merged: dict = {}
    for check in checks:
        try:
            check()
        except ValidationError as exc:
            exc.update_error_dict(merged)
    if merged:
        raise ValidationError(merged)


def _resolve_url(viewname: str, args: tuple, kwargs: dict, query: str) -> str:
    from django.urls import reverse

    return reverse(viewname, args=args or None, kwargs=kwargs or None) + (f"?{query}" if query else "")


def finding_url(viewname: str, *, args=(), kwargs=None, query: str = ""):
    """The page where a finding can be fixed, resolved only when a page prints it.

    A PDF built in a fresh process lists findings without links, so it need not load the
    whole URL configuration; the lazy value pickles for the cache.
    """
    return LazyStr(_resolve_url, viewname, tuple(args), dict(kwargs or {}), query)
