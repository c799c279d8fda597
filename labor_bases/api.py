"""REST API of the labor-practice bases: one scoped viewset per model, filterable by ?year= and ?school=."""

from rest_framework import exceptions, serializers

from workstudy.api import ScopedViewSet, ValidatingModelSerializer, year_school_filterset

from .deletion import delete_block_reason
from .models import BaseYearArea, BaseYearFinance, LaborBase, LandParcel, ProductionLine, StudentPracticeActivity


class LaborBaseSerializer(ValidatingModelSerializer):
    """A base has no year; its declared area is per year (``/api/labor-bases/areas/``).

    ``declared_areas`` lists it by year, read-only. A request that still sends
    ``declared_total_mu`` here is refused with a 400 naming the endpoint to use, so a
    year-less PATCH can never change the area of any year (a locked one included).
    """

    school_name = serializers.CharField(source="school.name", read_only=True)
    declared_areas = serializers.SerializerMethodField()

    class Meta:
        model = LaborBase
        fields = ["id", "school", "school_name", "name", "location", "established_year", "declared_areas", "active",
                  "note", "version"]
        read_only_fields = ["version"]

    def get_declared_areas(self, base) -> dict:
        return {str(row.year_id): str(row.declared_total_mu) for row in base.year_areas.all()}

    def to_internal_value(self, data):
        if hasattr(data, "keys") and "declared_total_mu" in data:
            raise serializers.ValidationError({"declared_total_mu": [
                "申报总面积按年度填写：请用 /api/labor-bases/areas/ 提交，写明基地（base）和年度（year）。"]})
        return super().to_internal_value(data)


class BaseYearAreaSerializer(ValidatingModelSerializer):
    class Meta:
        model = BaseYearArea
        fields = ["id", "base", "year", "declared_total_mu", "version"]
        read_only_fields = ["version"]
        # Uniqueness of (base, year) is rule LB-13, checked in the model's clean().
        validators = []


class LandParcelSerializer(ValidatingModelSerializer):
    land_type_label = serializers.CharField(read_only=True)

    class Meta:
        model = LandParcel
        fields = ["id", "base", "year", "land_type", "land_type_label", "land_type_note", "crop", "area_mu", "note",
                  "version"]
        read_only_fields = ["version"]


class ProductionLineSerializer(ValidatingModelSerializer):
    class Meta:
        model = ProductionLine
        fields = ["id", "base", "year", "parcel", "product", "grade", "quantity", "unit", "unit_price", "value", "note",
                  "version"]
        read_only_fields = ["value", "version"]


class BaseYearFinanceSerializer(ValidatingModelSerializer):
    class Meta:
        model = BaseYearFinance
        fields = ["id", "base", "year", "other_income", "seedling_cost", "fertilizer_cost", "labor_cost",
                  "equipment_cost", "other_cost", "remitted_to_school", "note", "production_value", "revenue", "cost",
                  "profit", "version"]
        read_only_fields = ["production_value", "revenue", "cost", "profit", "version"]
        # Uniqueness of (base, year) is rule LB-10, checked in the model's clean().
        validators = []


class StudentPracticeActivitySerializer(ValidatingModelSerializer):
    class Meta:
        model = StudentPracticeActivity
        fields = ["id", "school", "year", "base", "activity", "participants", "days", "note", "version"]
        read_only_fields = ["version"]


class _ScopedChoices:
    """Limit the related-object choices of a serializer to the user's scope (a 400 for another school's id)."""

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        from workstudy import scoping

        user = self.request.user
        fields = getattr(serializer, "fields", {})
        if "base" in fields and hasattr(fields["base"], "queryset"):
            fields["base"].queryset = scoping.visible(user, LaborBase)
        if "parcel" in fields and hasattr(fields["parcel"], "queryset"):
            fields["parcel"].queryset = scoping.visible(user, LandParcel)
        if "school" in fields and hasattr(fields["school"], "queryset"):
            fields["school"].queryset = scoping.schools_for(user)
        return serializer


class LaborBaseViewSet(_ScopedChoices, ScopedViewSet):
    model = LaborBase
    serializer_class = LaborBaseSerializer
    select_related = ("school",)
    filterset_class = year_school_filterset(LaborBase, ["active"])

    def get_queryset(self):
        return super().get_queryset().prefetch_related("year_areas")

    def perform_destroy(self, instance):
        reason = delete_block_reason(instance)
        if reason:
            raise exceptions.ValidationError({"detail": [reason]})
        super().perform_destroy(instance)


class BaseYearAreaViewSet(_ScopedChoices, ScopedViewSet):
    model = BaseYearArea
    serializer_class = BaseYearAreaSerializer
    select_related = ("base__school",)
    filterset_class = year_school_filterset(BaseYearArea, ["base"])


class LandParcelViewSet(_ScopedChoices, ScopedViewSet):
    model = LandParcel
    serializer_class = LandParcelSerializer
    select_related = ("base__school",)
    filterset_class = year_school_filterset(LandParcel, ["land_type", "base"])


class ProductionLineViewSet(_ScopedChoices, ScopedViewSet):
    model = ProductionLine
    serializer_class = ProductionLineSerializer
    select_related = ("base__school",)
    filterset_class = year_school_filterset(ProductionLine, ["base", "unit"])


class BaseYearFinanceViewSet(_ScopedChoices, ScopedViewSet):
    model = BaseYearFinance
    serializer_class = BaseYearFinanceSerializer
    select_related = ("base__school",)
    filterset_class = year_school_filterset(BaseYearFinance, ["base"])


class StudentPracticeActivityViewSet(_ScopedChoices, ScopedViewSet):
    model = StudentPracticeActivity
    serializer_class = StudentPracticeActivitySerializer
    select_related = ("school",)
    filterset_class = year_school_filterset(StudentPracticeActivity, ["base"])
