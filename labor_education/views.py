"""Pages of 劳动教育: the year's records (staff and auditors: every school, with a school
filter; principals: their own), and create / edit / delete through the scoped views, so a
locked year or a submitted return is refused by :mod:`workstudy.scoping` like everywhere."""

from __future__ import annotations

from django.contrib import messages
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workstudy import scoping
from workstudy.mixins import ScopedCreateView, ScopedDeleteView, ScopedListView, ScopedUpdateView
from workstudy.widgets import SchoolFilterForm

from . import selectors
from .forms import LaborEducationForm
from .models import LaborEducation


class IndexView(ScopedListView):
    model = LaborEducation
    template_name = "labor_education/list.html"

    def base_queryset(self):
        return LaborEducation.objects.select_related("school").prefetch_related("bases_used")

    def get_queryset(self):
        qs = super().get_queryset()
        self.school_filter = SchoolFilterForm(self.request.GET, user=self.request.user)
        return self.school_filter.filter(qs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, year = self.request.user, self.get_year()
        context["school_filter"] = self.school_filter
        if year is not None:
            school_ids = [user.school_id] if user.is_principal else None
            context["coverage"] = selectors.coverage(year, school_ids)
            if user.is_principal:
                context["has_record"] = LaborEducation.objects.filter(school_id=user.school_id, year=year).exists()
        return context


def _index_url(year_id) -> str:
    return reverse("labor_education:index") + (f"?year={year_id}" if year_id else "")


class _FormPage:
    template_name = "labor_education/form.html"
    title = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        context["cancel_url"] = _index_url(self._year_id())
        return context

    def _year_id(self):
        obj = getattr(self, "object", None)
        if obj is not None and obj.year_id:
            return obj.year_id
        raw = self.request.GET.get("year") or self.request.POST.get("year")
        return int(raw) if raw and str(raw).isdigit() else None

    def get_success_url(self):
        messages.success(self.request, _("已保存。"))
        return _index_url(self.object.year_id)


class CreateView(_FormPage, ScopedCreateView):
    model = LaborEducation
    form_class = LaborEducationForm
    title = gettext_lazy("填写劳动教育情况")

    def get_initial(self):
        initial = super().get_initial()
        year = self.get_year()
        if year is not None:
            initial.setdefault("year", year.pk)
        school = self.request.GET.get("school", "")
        if school.isdigit():
            initial.setdefault("school", int(school))
        return initial

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.request.user.is_principal:
            kwargs["instance"] = LaborEducation(school=self.request.user.school)
        return kwargs


class UpdateView(_FormPage, ScopedUpdateView):
    model = LaborEducation
    form_class = LaborEducationForm
    title = gettext_lazy("修改劳动教育情况")

    def base_queryset(self):
        return LaborEducation.objects.select_related("school", "year")


class DeleteView(ScopedDeleteView):
    model = LaborEducation

    def get_success_url(self):
        return _index_url(scoping.year_of(self.object).pk)


__all__ = ["IndexView", "CreateView", "UpdateView", "DeleteView"]
