"""REST API of 后勤社会化: one scoped viewset per model, ``?year=`` and ``?school=`` filters.

Bureau rows (centre, shops, figures, sales, investments, exam programmes) are for staff
and auditors; exam sites are readable by their host school's principal but written by
staff only; school services are written by staff and the school's own principal.
"""

from rest_framework import serializers

from workstudy.api import ScopedViewSet, ValidatingModelSerializer, year_school_filterset
from workstudy.models import Role

from .models import (
    CapitalInvestment,
    CentreYearFigures,
    ExamLodgingProgram,
    ExamSite,
    SalesLine,
    SchoolService,
    ServiceCentre,
    Shop,
)

BUREAU_READERS = (Role.STAFF, Role.AUDITOR)
STAFF_WRITES = (Role.STAFF,)


def _serializer(model, field_names, extra=None, read_only=()):
    meta = type("Meta", (), {
        "model": model,
        "fields": ["id", *field_names, *(extra or {}).keys(), "version"],
        "read_only_fields": ["version", *read_only],
    })
    attrs = {"Meta": meta, **(extra or {})}
    return type(f"{model.__name__}Serializer", (ValidatingModelSerializer,), attrs)


ServiceCentreSerializer = _serializer(ServiceCentre, ["name", "founded_year", "exam_lodging_from_year", "note"])
ShopSerializer = _serializer(
    Shop, ["centre", "name", "address", "categories", "opened_year", "active"],
    {"category_labels": serializers.ListField(child=serializers.CharField(), read_only=True)},
)
CentreYearFiguresSerializer = _serializer(
    CentreYearFigures, ["centre", "year", "vehicles", "deliveries", "cost", "remitted_to_education", "note"],
    {
        "revenue": serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True),
        "profit": serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True),
    },
)
SalesLineSerializer = _serializer(SalesLine, ["centre", "year", "shop", "category", "customer_kind", "amount", "note"])
CapitalInvestmentSerializer = _serializer(CapitalInvestment, ["centre", "year", "kind", "amount", "note"])
SchoolServiceSerializer = _serializer(
    SchoolService, ["school", "year", "kind", "name", "mode", "operator", "note"],
    {"school_name": serializers.CharField(source="school.name", read_only=True)},
)
# ``county`` is the operator's county, set by the model (one programme per county and year).
ExamLodgingProgramSerializer = _serializer(
    ExamLodgingProgram,
    ["year", "county", "operator", "candidates_lodged", "beds", "meals", "fee_per_candidate", "revenue", "cost",
     "closed_management", "incidents", "family_cost_before", "family_cost_after", "note"],
    {"county_name": serializers.CharField(source="county.name", read_only=True)},
    read_only=("county",),
)
ExamSiteSerializer = _serializer(
    ExamSite, ["program", "host_school", "candidates", "beds", "note"],
    {
        "school_name": serializers.CharField(source="host_school.name", read_only=True),
        "year": serializers.IntegerField(source="program.year_id", read_only=True),
    },
)


class _BureauViewSet(ScopedViewSet):
    roles = BUREAU_READERS
    write_roles = STAFF_WRITES


class ServiceCentreViewSet(_BureauViewSet):
    model = ServiceCentre
    serializer_class = ServiceCentreSerializer
    filterset_class = year_school_filterset(ServiceCentre)


class ShopViewSet(_BureauViewSet):
    model = Shop
    serializer_class = ShopSerializer
    select_related = ("centre",)
    filterset_class = year_school_filterset(Shop, ["centre", "active"])


class CentreYearFiguresViewSet(_BureauViewSet):
    model = CentreYearFigures
    serializer_class = CentreYearFiguresSerializer
    select_related = ("centre",)
    filterset_class = year_school_filterset(CentreYearFigures, ["centre"])

    def get_queryset(self):
        # revenue/profit: the sales total in the same query, not two queries per row.
        from django.db.models import DecimalField, OuterRef, Subquery, Sum
        from django.db.models.functions import Coalesce

        from .models import ZERO

        sales = (
            SalesLine.objects.filter(centre_id=OuterRef("centre_id"), year_id=OuterRef("year_id"))
            .values("centre_id").annotate(t=Sum("amount")).values("t")
        )
        total = Coalesce(Subquery(sales, output_field=DecimalField(max_digits=14, decimal_places=2)), ZERO)
        return super().get_queryset().annotate(sales_total=total)


class SalesLineViewSet(_BureauViewSet):
    model = SalesLine
    serializer_class = SalesLineSerializer
    select_related = ("centre", "shop")
    filterset_class = year_school_filterset(SalesLine, ["centre", "shop", "category", "customer_kind"])


class CapitalInvestmentViewSet(_BureauViewSet):
    model = CapitalInvestment
    serializer_class = CapitalInvestmentSerializer
    select_related = ("centre",)
    # ``year`` here is a plain calendar year, filtered as a field.
    filterset_class = year_school_filterset(CapitalInvestment, ["centre", "kind"])

    def get_queryset(self):
        qs = super().get_queryset()
        year = self.request.query_params.get("year", "")
        return qs.filter(year=int(year)) if year.isdigit() else qs


class ExamLodgingProgramViewSet(_BureauViewSet):
    model = ExamLodgingProgram
    serializer_class = ExamLodgingProgramSerializer
    select_related = ("operator", "county")
    filterset_class = year_school_filterset(ExamLodgingProgram, ["operator", "county"])


class ExamSiteViewSet(ScopedViewSet):
    model = ExamSite
    serializer_class = ExamSiteSerializer
    select_related = ("program", "host_school")
    write_roles = STAFF_WRITES
    filterset_class = year_school_filterset(ExamSite, ["program"])


class SchoolServiceViewSet(ScopedViewSet):
    model = SchoolService
    serializer_class = SchoolServiceSerializer
    select_related = ("school",)
    filterset_class = year_school_filterset(SchoolService, ["kind", "mode"])
