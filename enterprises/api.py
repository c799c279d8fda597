"""REST API of the enterprises: one scoped viewset per model, filtered by ``?year=``.

Staff write; auditors and principals (their own school's enterprise only) read.
"""

import django_filters
from rest_framework import serializers

from workstudy.api import ScopedViewSet, ValidatingModelSerializer, YearSchoolFilter
from workstudy.models import ReportingYear, Role

from .models import Enterprise, EnterpriseYearStat, ReformEvent

READ_ROLES = (Role.STAFF, Role.PRINCIPAL, Role.AUDITOR)
WRITE_ROLES = (Role.STAFF,)


class EnterpriseSerializer(ValidatingModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    form_label = serializers.CharField(source="get_form_display", read_only=True)
    ownership_label = serializers.CharField(source="get_ownership_display", read_only=True)
    sponsor = serializers.CharField(read_only=True)

    class Meta:
        model = Enterprise
        fields = [
            "id", "name", "kind", "kind_label", "sponsor_school", "sponsor_label", "sponsor", "ownership",
            "ownership_label", "industry", "founded_year", "founded_text", "status", "status_label", "closed_year",
            "form", "form_label", "note", "version",
        ]
        read_only_fields = ["version"]


class EnterpriseYearStatSerializer(ValidatingModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)

    class Meta:
        model = EnterpriseYearStat
        fields = [
            "id", "enterprise", "enterprise_name", "year", "revenue", "cost", "profit", "tax", "remitted_to_education",
            "employees", "work_study_placements", "note", "version",
        ]
        read_only_fields = ["profit", "version"]


class ReformEventSerializer(ValidatingModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = ReformEvent
        fields = [
            "id", "enterprise", "enterprise_name", "date", "kind", "kind_label", "staff_affected", "amount",
            "counterparty", "note", "year", "version",
        ]
        read_only_fields = ["year", "version"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if attrs.get("date"):
            # The event's reporting year follows its date, so a locked year's events stay locked.
            attrs["date"] = attrs["date"].replace(day=1)
            attrs["year"] = ReportingYear.objects.filter(pk=attrs["date"].year).first()
        return attrs


class EnterpriseFilter(YearSchoolFilter):
    def filter_year(self, queryset, name, value):
        # An enterprise belongs to no single year: ?year= lists those active in it.
        return queryset.active_in(int(value))

    class Meta:
        model = Enterprise
        fields = ["status", "kind", "form", "ownership"]


class EnterpriseYearStatFilter(YearSchoolFilter):
    class Meta:
        model = EnterpriseYearStat
        fields = ["enterprise"]


class ReformEventFilter(YearSchoolFilter):
    def filter_year(self, queryset, name, value):
        return queryset.filter(date__year=int(value))

    kind = django_filters.ChoiceFilter(choices=ReformEvent._meta.get_field("kind").choices)

    class Meta:
        model = ReformEvent
        fields = ["enterprise", "kind"]


class _EnterpriseViewSetBase(ScopedViewSet):
    roles = READ_ROLES
    write_roles = WRITE_ROLES


class EnterpriseViewSet(_EnterpriseViewSetBase):
    model = Enterprise
    queryset = Enterprise.objects.none()
    serializer_class = EnterpriseSerializer
    select_related = ("sponsor_school",)
    filterset_class = EnterpriseFilter


class EnterpriseYearStatViewSet(_EnterpriseViewSetBase):
    model = EnterpriseYearStat
    queryset = EnterpriseYearStat.objects.none()
    serializer_class = EnterpriseYearStatSerializer
    select_related = ("enterprise",)
    filterset_class = EnterpriseYearStatFilter


class ReformEventViewSet(_EnterpriseViewSetBase):
    model = ReformEvent
    queryset = ReformEvent.objects.none()
    serializer_class = ReformEventSerializer
    select_related = ("enterprise",)
    filterset_class = ReformEventFilter
