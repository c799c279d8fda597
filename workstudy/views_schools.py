"""``/schools/search/?q=``: suggestions for the school picker (:mod:`workstudy.widgets`)."""

from __future__ import annotations

from django.http import JsonResponse
from django.views import View

from . import scoping
from .mixins import RoleRequiredMixin
from .widgets import school_label, search_schools

MAX_RESULTS = 20


class SchoolSearchView(RoleRequiredMixin, View):
    """At most 20 of the schools the user can see whose code starts with or name contains
    ``q`` (a principal: only their own school). ``active=1``: schools in use only."""

    http_method_names = ["get"]

    def get(self, request):
        schools = scoping.schools_for(request.user)
        if request.GET.get("active") == "1":
            schools = schools.filter(active=True)
        found = search_schools(schools, request.GET.get("q", ""), limit=MAX_RESULTS)
        results = [{"id": s.pk, "code": s.code, "name": s.name, "label": school_label(s)} for s in found]
        response = JsonResponse({"results": results}, json_dumps_params={"ensure_ascii": False})
        response["Cache-Control"] = "private, no-store"
        return response
