"""Suggestions for the pickers (:mod:`workstudy.widgets`): ``/schools/search/?q=`` for
schools, ``/pick/<kind>/?q=`` for every other registered kind (labor bases, plots...)."""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.views import View

from .mixins import RoleRequiredMixin
from .widgets import SCHOOLS, clean_query, picker_kind

MAX_RESULTS = 20


class PickerSearchView(RoleRequiredMixin, View):
    """At most 20 objects of the kind that the user may pick (the kind's ``for_user``,
    scoped like every list) matching ``q``. A principal finds only their own school's."""

    http_method_names = ["get"]
    kind = None

    def get(self, request, key=None):
        kind = self.kind or picker_kind(key or "")
        if kind is None:
            raise Http404
        found = kind.search(kind.for_user(request.user, request.GET), clean_query(request.GET.get("q", "")),
                            limit=MAX_RESULTS)
        response = JsonResponse({"results": [kind.as_json(obj) for obj in found]},
                                json_dumps_params={"ensure_ascii": False})
        response["Cache-Control"] = "private, no-store"
        return response


class SchoolSearchView(PickerSearchView):
    """``active=1``: schools in use only."""

    kind = SCHOOLS
