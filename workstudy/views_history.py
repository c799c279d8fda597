"""The change history of one row, in words its readers use.

Who changed it (their name and role, never a login name), when, and which fields changed
from what to what: values shown as the forms show them (a school's name, a land type's
label, 是/否), entries that changed nothing visible (a save that only bumped the version)
left out. Anyone who may read the row may read its history (:mod:`workstudy.scoping`
decides); personal fields stay masked for everyone but bureau staff.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.apps import apps
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from . import scoping
from .mixins import RoleRequiredMixin
from .models import ReportingYear, School, Submission

# Bookkeeping fields every domain row carries: a change of only these is no change to a reader.
_BOOKKEEPING = {"version", "created_at", "updated_at"}
# The newest entries a page shows (one more is read to diff the oldest shown against).
_LIMIT = 200


def _who(user) -> dict:
    """A person as a reader knows them: display name and role."""
    if user is None:
        return {"name": _("系统"), "role": ""}
    return {"name": user.get_full_name() or user.username, "role": user.get_role_display()}


def _school_and_year(obj) -> tuple[School | None, ReportingYear | None]:
    if isinstance(obj, School):
        return obj, None
    return scoping.school_of(obj), scoping.year_of(obj)


def _same_host_path(request, url: str) -> str | None:
    """``url`` as a path on this site if it points here (never another host or scheme)."""
    if not url or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(url)
    path = parts.path or "/"
    if path == request.path:  # the history page itself: no way back
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def _row_page(request, obj, app_label: str, school, year) -> str:
    """The page the row lives on: its own page, else its app's overview for its year
    (and school, for readers who choose schools), else the dashboard."""
    if hasattr(obj, "get_absolute_url"):
        return obj.get_absolute_url()
    if isinstance(obj, School):
        return reverse("schools") if not request.user.is_principal else reverse("dashboard")
    if isinstance(obj, Submission):
        return reverse("submission_detail", args=[obj.pk])
    try:
        url = reverse(f"{app_label}:index")
    except NoReverseMatch:
        return reverse("dashboard")
    query = []
    if year is not None:
        query.append(f"year={year.pk}")
    if school is not None and not request.user.is_principal:
        query.append(f"school={school.pk}")
    return url + ("?" + "&".join(query) if query else "")


class _Labels:
    """Turns stored values into what a reader recognises, reading each related table once."""

    def __init__(self, user, model, deltas):
        self.user = user
        wanted: dict = {}
        for changes in deltas:
            for change in changes:
                field = model._meta.get_field(change.field)
                if field.is_relation and field.many_to_one:
                    wanted.setdefault(field.related_model, set()).update(
                        v for v in (change.old, change.new) if v is not None
                    )
        self.names = {}
        for related, pks in wanted.items():
            shown = _who if related is get_user_model() else None
            self.names[related] = {
                obj.pk: shown(obj)["name"] if shown else str(obj) for obj in self._readable(related).filter(pk__in=pks)
            }

    def _readable(self, related):
        if related is School or related in scoping.registered_models():
            return scoping.visible(self.user, related)
        return related._base_manager.all()

    def __call__(self, field, value):
        if value is None or value == "":
            return None
        if field.is_relation and field.many_to_one:
            return self.names.get(field.related_model, {}).get(value, _("（已删除或无权查看）"))
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, bool):
            return _("是") if value else _("否")
        return value


class HistoryView(RoleRequiredMixin, View):
    """Change history of any registered row: who, when, and what changed (before/after)."""

    def get(self, request, app_label, model_name, pk):
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            raise Http404 from None
        if model is not School and model not in scoping.registered_models():
            raise Http404
        obj = scoping.get_visible_or_404(request.user, model, pk=pk)
        if not hasattr(obj, "history"):
            raise Http404
        records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: _LIMIT + 1])
        order = {f.name: i for i, f in enumerate(model._meta.fields)}
        deltas = []
        for i, record in enumerate(records[:_LIMIT]):
            older = records[i + 1] if i + 1 < len(records) else None
            changes = []
            if older is not None and record.history_type != "-":
                changes = [c for c in record.diff_against(older).changes if c.field not in _BOOKKEEPING]
                changes.sort(key=lambda c: order.get(c.field, len(order)))
            deltas.append(changes)
        labels = _Labels(request.user, model, deltas)
        # A model may name personal fields to mask for everyone but bureau staff.
        masked = {} if request.user.is_bureau else getattr(model, "history_masked_fields", {})
        entries = []
        for record, changes in zip(records, deltas, strict=False):
            if record.history_type == "~" and not changes:
                continue  # saved without changing anything a reader sees
            shown = []
            for change in changes:
                field = model._meta.get_field(change.field)
                if change.field in masked:
                    old, new = masked[change.field](change.old or ""), masked[change.field](change.new or "")
                else:
                    old, new = labels(field, change.old), labels(field, change.new)
                shown.append({"field": field.verbose_name, "old": old, "new": new})
            entries.append({"record": record, "who": _who(record.history_user), "changes": shown})
        school, year = _school_and_year(obj)
        row_page = _row_page(request, obj, app_label, school, year)
        back = _same_host_path(request, request.META.get("HTTP_REFERER", "")) or row_page
        return render(request, "workstudy/history.html", {
            "object": obj, "model": model, "kind": model._meta.verbose_name, "entries": entries,
            "school": school, "year": year, "back_url": back, "row_page": row_page,
            "truncated": len(records) > _LIMIT,
        })
