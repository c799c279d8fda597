"""Base views every app builds on. Permission is a view attribute, enforced here.

``roles`` names who may open a view at all (others get 403, logged-out users go to
the login page); which rows they see or may change is decided by
:mod:`workstudy.scoping`. Apps subclass these instead of repeating checks.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views import generic

from . import locks, names, scoping
from .forms import VersionedFormMixin
from .models import ConcurrentEditError, ReportingYear, Role

ALL_ROLES = (Role.STAFF, Role.PRINCIPAL, Role.AUDITOR)
READERS_OF_BUREAU_DATA = (Role.STAFF, Role.AUDITOR)


class RoleRequiredMixin(AccessMixin):
    roles: tuple[str, ...] = ALL_ROLES

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return self.handle_no_permission()
        if not user.is_active or user.role not in self.roles:
            raise PermissionDenied(_("您的账号无权访问此页面。"))
        return super().dispatch(request, *args, **kwargs)


class YearMixin:
    """Reads ``?year=`` (default: the year in progress, :func:`scoping.current_year`) and
    exposes it as ``self.year``."""

    def all_years(self) -> list[ReportingYear]:
        """Every reporting year with its counties' locks (two queries at most, read once per view)."""
        if not hasattr(self, "_all_years"):
            self._all_years = locks.read_county_locks(locks.all_years())
        return self._all_years

    def get_year(self) -> ReportingYear | None:
        if hasattr(self, "_year"):
            return self._year
        years = self.all_years()
        raw = self.request.GET.get("year") or self.kwargs.get("year")
        year = None
        if raw:
            try:
                year = next((y for y in years if y.pk == int(raw)), None)
            except (TypeError, ValueError):
                year = None
        county = locks.county_of_user(self.request.user)
        self._year = locks.for_county(year or scoping.current_year(county, years=years), county)
        return self._year

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["year"] = self.get_year()
        county = locks.county_of_user(self.request.user)
        context["years"] = [locks.for_county(y, county) for y in self.all_years()]
        return context


class ScopedQuerysetMixin:
    model = None

    def base_queryset(self) -> QuerySet:
        return self.model._default_manager.all()

    def get_queryset(self):
        return scoping.visible(self.request.user, self.base_queryset())


class ScopedListView(RoleRequiredMixin, YearMixin, ScopedQuerysetMixin, generic.ListView):
    paginate_by = 50
    filter_by_year = True

    def get_queryset(self):
        qs = super().get_queryset()
        year = self.get_year()
        if self.filter_by_year and year is not None and scoping.scope_of(qs.model).year is not None:
            qs = scoping.filter_school_year(qs, year=year)
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        school = user.school if user.is_principal else None
        context["write_block_reason"] = scoping.write_block_reason(user, school=school, year=self.get_year(), model=self.model)
        year = self.get_year()
        if year is not None and year.is_locked and context.get("object_list") is not None:
            # A locked year's rows show the names and addresses of its lock, not today's.
            name = self.get_context_object_name(context["object_list"])
            rows = list(context["object_list"])
            names.as_locked(rows, year)
            context["object_list"] = rows
            if context.get("page_obj") is not None:
                context["page_obj"].object_list = rows
            if name:
                context[name] = rows
        return context


class ScopedDetailView(RoleRequiredMixin, ScopedQuerysetMixin, generic.DetailView):
    def get_object(self, queryset=None):
        obj = scoping.get_visible_or_404(self.request.user, self.get_queryset(), pk=self.kwargs["pk"])
        # A row of a locked year names its school (and base) as at the lock, like the lists.
        if scoping.scope_of(type(obj)).year is not None:
            names.as_locked([obj], scoping.year_of(obj))
        return obj

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["write_block_reason"] = scoping.obj_write_block_reason(self.request.user, self.object)
        return context


class _SaveMixin:
    """Turns a stale edit or a refused write into a form error instead of a 500."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ConcurrentEditError as exc:
            form.add_error(None, str(exc))
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        return self.form_invalid(form)

    def get_success_url(self):
        messages.success(self.request, _("已保存。"))
        return super().get_success_url()


def offer_entry_years_only(form, county=None) -> None:
    """Entry forms offer no locked year: every choice of a reporting year lists the open
    years only (:func:`scoping.entry_years`; ``county``'s open years). Only what is offered changes: a locked year
    sent anyway still validates as a year, so the refusal names the lock (scoping's reason)
    instead of a bare "not a valid choice"."""
    for field in form.fields.values():
        queryset = getattr(field, "queryset", None)
        if queryset is None or queryset.model is not ReportingYear:
            continue
        offered = [] if field.empty_label is None else [("", field.empty_label)]
        offered += [(year.pk, field.label_from_instance(year)) for year in scoping.entry_years(county)]
        field.widget.choices = offered


class _EntryYearsMixin:
    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        offer_entry_years_only(form, locks.county_of_user(self.request.user))
        scoping.narrow_choices(form, self.request.user)
        return form


class ScopedCreateView(RoleRequiredMixin, YearMixin, _SaveMixin, _EntryYearsMixin, generic.CreateView):
    """Create a row; subclasses say which school/year it belongs to via ``owner()``."""

    roles = (Role.STAFF, Role.PRINCIPAL)

    def owner(self, form) -> tuple[object, object]:
        """Return (school, year) of the row being created, from the form's instance."""
        instance = form.instance
        return scoping.school_of(instance), scoping.year_of(instance)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if "user" in getattr(self.get_form_class(), "accepts_kwargs", ()):
            kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        scoping.stamp_county(self.request.user, form.instance)
        school, year = self.owner(form)
        reason = scoping.write_block_reason(
            self.request.user, school=school, year=year, model=self.model, county=scoping.county_of(form.instance)
        )
        if reason:
            form.add_error(None, reason)
            return self.form_invalid(form)
        return super().form_valid(form)


class ScopedUpdateView(RoleRequiredMixin, ScopedQuerysetMixin, _SaveMixin, _EntryYearsMixin, generic.UpdateView):
    roles = (Role.STAFF, Role.PRINCIPAL)

    def get_queryset(self):
        # The row with the school and the year its write checks and its form read, not one query each.
        qs = super().get_queryset()
        scope = scoping.scope_of(qs.model) if qs.model in scoping.registered_models() else None
        paths = [path for path in (scope.school, scope.year) if path] if scope else []
        return qs.select_related(*paths) if paths else qs

    def get_object(self, queryset=None):
        # The answers of this request's write checks, per (school, year, county): the check after
        # binding reads the year and the return's state again only if the form moved the row.
        self._write_checks = {}
        return scoping.get_writable_or_404(
            self.request.user, self.get_queryset(), memo=self._write_checks, pk=self.kwargs["pk"]
        )

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if "user" in getattr(self.get_form_class(), "accepts_kwargs", ()):
            kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        # Re-check after binding: the form must not move the row to another school or a locked year.
        scoping.stamp_county(self.request.user, form.instance)
        reason = scoping.obj_write_block_reason(self.request.user, form.instance, getattr(self, "_write_checks", None))
        if reason:
            form.add_error(None, reason)
            return self.form_invalid(form)
        return super().form_valid(form)


class ScopedDeleteView(RoleRequiredMixin, ScopedQuerysetMixin, generic.DeleteView):
    roles = (Role.STAFF, Role.PRINCIPAL)
    template_name = "portal/confirm_delete.html"
    # Deleting goes through the confirmation form (POST) and the checks of ``form_valid``;
    # Django's bare DELETE handler would skip them (a labor base's rows in a locked year,
    # protected rows answered with a server error).
    http_method_names = ["get", "post", "head", "options"]

    def get_object(self, queryset=None):
        return scoping.get_writable_or_404(self.request.user, self.get_queryset(), pk=self.kwargs["pk"])

    def form_valid(self, form):
        messages.success(self.request, _("已删除。"))
        self.object.delete()
        return HttpResponseRedirect(self.get_success_url())


__all__ = [
    "ALL_ROLES",
    "READERS_OF_BUREAU_DATA",
    "RoleRequiredMixin",
    "YearMixin",
    "ScopedListView",
    "ScopedDetailView",
    "ScopedCreateView",
    "ScopedUpdateView",
    "ScopedDeleteView",
    "VersionedFormMixin",
    "offer_entry_years_only",
]
