"""REST API of 学校保险与理赔. Personal data of injured persons is write-only: responses
carry only the masked name and ID number. Claim status and payouts change only through
the staff-only ``advance`` action (the same service as the page)."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from workstudy import limits, scoping
from workstudy.api import PortalSerializerMixin, ScopedViewSet, ValidatingModelSerializer, year_school_filterset
from workstudy.models import ConcurrentEditError, Role

from . import services
from .models import (
    PERSONAL_FIELDS,
    Claim,
    ClaimDocument,
    ClaimStatus,
    FundingRule,
    FundingSource,
    InsurancePolicy,
    Insurer,
    PolicyType,
    PremiumFunding,
    StudentAccidentCoverage,
    keep_personal,
)

BUREAU_READERS = (Role.STAFF, Role.AUDITOR)
STAFF_WRITES = (Role.STAFF,)


def _user(serializer):
    """The requesting user, or None (schema generation runs with an anonymous user)."""
    request = serializer.context.get("request")
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


class ScopedSchoolFieldMixin:
    """The ``school`` choices are the schools the user may see; principals default to theirs."""

    def get_fields(self):
        fields = super().get_fields()
        user = _user(self)
        if "school" in fields and not fields["school"].read_only and user is not None:
            fields["school"].queryset = scoping.schools_for(user)
            if not user.is_bureau:
                fields["school"].required = False
        return fields

    def validate(self, attrs):
        user = _user(self)
        if self.instance is None and user is not None and user.is_principal and not attrs.get("school"):
            attrs["school"] = user.school
        return super().validate(attrs)


class InsurerSerializer(ValidatingModelSerializer):
    class Meta:
        model = Insurer
        fields = ["id", "name", "role", "entrusted_from_year", "service_fee", "contact", "version"]
        read_only_fields = ["version"]


# Inline schemas: the same choice sets appear as policy_type/source elsewhere, and
# drf-spectacular warns when one enum component gets two names.
@extend_schema_field({"type": "string", "enum": PolicyType.values, "description": "险种"})
class InsuranceTypeField(serializers.ChoiceField):
    pass


@extend_schema_field({"type": "array", "items": {"type": "string", "enum": FundingSource.values}})
class SourcesField(serializers.ListField):
    pass


class FundingRuleSerializer(ValidatingModelSerializer):
    insurance_type = InsuranceTypeField(choices=PolicyType.choices)
    allowed_sources = SourcesField(child=serializers.ChoiceField(choices=FundingSource.choices), allow_empty=False)

    class Meta:
        model = FundingRule
        fields = ["id", "insurance_type", "from_year", "to_year", "allowed_sources", "bureau_share_pct", "note", "version"]
        read_only_fields = ["version"]


class PolicySerializer(ValidatingModelSerializer):
    school_name = serializers.CharField(source="school.name", read_only=True, default="")

    class Meta:
        model = InsurancePolicy
        fields = [
            "id",
            "year",
            "policy_no",
            "policy_type",
            "insurer",
            "broker",
            "school",
            "school_name",
            "coverage_start",
            "coverage_end",
            "sum_insured",
            "per_accident_limit",
            "per_person_limit",
            "aggregate_limit",
            "premium_rate",
            "insured_count",
            "premium_total",
            "compulsory",
            "note",
            "version",
        ]
        read_only_fields = ["version"]


class FundingSerializer(ValidatingModelSerializer):
    class Meta:
        model = PremiumFunding
        fields = ["id", "policy", "source", "amount", "persons", "version"]
        read_only_fields = ["version"]


class CoverageSerializer(ScopedSchoolFieldMixin, ValidatingModelSerializer):
    """``enrolled`` and ``poor_students`` are read-only: the school's yearly counts
    (/api/submissions/), entered once there; sending them here is refused with a 400."""

    school_name = serializers.CharField(source="school.name", read_only=True)
    enrolled = serializers.IntegerField(read_only=True, allow_null=True)
    poor_students = serializers.IntegerField(read_only=True, allow_null=True)

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            sent = [name for name in ("enrolled", "poor_students") if name in data]
            if sent:
                raise serializers.ValidationError({name: [
                    "学生人数和贫困家庭学生人数在本校年度基本情况中填写（/api/submissions/），学平险按它们核对，这里不能修改。"]
                    for name in sent})
        return super().to_internal_value(data)

    def get_validators(self):
        # One row per school and year is checked by the model (full_clean); DRF's own
        # unique-together validator would make ``school`` required even for principals.
        return []

    class Meta:
        model = StudentAccidentCoverage
        fields = [
            "id",
            "school",
            "school_name",
            "year",
            "enrolled",
            "insured_parent_paid",
            "poor_students",
            "poor_free_by_insurer",
            "poor_advanced_by_school",
            "advance_amount",
            "voluntary_consent_recorded",
            "version",
        ]
        read_only_fields = ["version"]


CLAIM_WORKFLOW_FIELDS = (
    "status",
    "assessed_amount",
    "paid_amount",
    "reject_reason",
    "documents_date",
    "review_date",
    "paid_date",
    "rejected_date",
)


class ClaimSerializer(ScopedSchoolFieldMixin, ValidatingModelSerializer):
    school_name = serializers.CharField(source="school.name", read_only=True)
    policy_type = serializers.ChoiceField(choices=PolicyType.choices, write_only=True, required=False)
    policy_type_label = serializers.CharField(source="policy.get_policy_type_display", read_only=True)
    policy_no = serializers.CharField(source="policy.policy_no", read_only=True)
    injured_name = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=50)
    injured_id_number = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=18)
    injured_name_masked = serializers.CharField(source="masked_name", read_only=True)
    injured_id_number_masked = serializers.CharField(source="masked_id_number", read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id",
            "claim_no",
            "school",
            "school_name",
            "year",
            "policy",
            "policy_no",
            "policy_type",
            "policy_type_label",
            "claimant_kind",
            "injured_name",
            "injured_id_number",
            "injured_name_masked",
            "injured_id_number_masked",
            "incident_date",
            "place",
            "incident_kind",
            "cause",
            "persons",
            "requested_amount",
            "reported_date",
            *CLAIM_WORKFLOW_FIELDS,
            "version",
        ]
        read_only_fields = ["claim_no", "year", "policy", *CLAIM_WORKFLOW_FIELDS, "version"]

    def to_internal_value(self, data):
        # A school sending a status or an amount is refused outright (403), before the
        # generic "read-only field" check, so it can never believe a payout was recorded.
        user = _user(self)
        if isinstance(data, Mapping) and (user is None or not user.is_bureau):
            for key in CLAIM_WORKFLOW_FIELDS:
                if key in data and self._workflow_value_changed(key, data.get(key)):
                    raise exceptions.PermissionDenied(str(services.STAFF_ONLY_MESSAGE))
        return super().to_internal_value(data)

    def _workflow_value_changed(self, key, sent) -> bool:
        empty = (None, "")
        if self.instance is None:
            return sent not in (*empty, ClaimStatus.REPORTED.value)
        value = getattr(self.instance, key)
        current = None if value in empty else self.fields[key].to_representation(value)
        if sent in empty or current is None:
            return (sent in empty) != (current is None)
        return str(sent) != str(current)

    def validate(self, attrs):
        user = _user(self)
        sent = set(self.initial_data) if isinstance(self.initial_data, Mapping) else set()
        if self.instance is None and sent & set(CLAIM_WORKFLOW_FIELDS):
            if user is None or not user.is_bureau:
                raise exceptions.PermissionDenied(str(services.STAFF_ONLY_MESSAGE))
            raise exceptions.ValidationError({"status": ["状态和金额请通过 advance 操作变更（POST /claims/{id}/advance/）。"]})
        if self.instance is not None and user is not None:
            reason = services.claim_can_edit_reason(user, self.instance)
            if reason:
                raise exceptions.PermissionDenied(reason)
        if self.instance is not None:
            # The API never returns the full name or ID number: a client that sends back the
            # masked value it was shown (or an empty one) keeps the stored personal data;
            # only a newly typed value replaces it.
            for name, mask in PERSONAL_FIELDS.items():
                if name in attrs:
                    attrs[name] = keep_personal(getattr(self.instance, name), attrs[name], mask)
        policy_type = attrs.pop("policy_type", None)
        if policy_type is None and self.instance is not None:
            policy_type = self.instance.policy.policy_type
        if policy_type is None:
            raise exceptions.ValidationError({"policy_type": ["请选择险种。"]})
        school = attrs.get("school") or (self.instance.school if self.instance else None)
        if school is None and user is not None and user.is_principal:
            school = user.school
        incident_date = attrs.get("incident_date") or (self.instance.incident_date if self.instance else None)
        if school is not None and incident_date is not None:
            policy = services.find_policy(school=school, policy_type=policy_type, incident_date=incident_date)
            if policy is None:
                error = services.no_policy_error(school=school, policy_type=policy_type, incident_date=incident_date)
                raise exceptions.ValidationError({"policy_type": error.messages})
            attrs["policy"] = policy
            attrs["year"] = policy.year
        return super().validate(attrs)


class ClaimAdvanceSerializer(PortalSerializerMixin, serializers.Serializer):
    field_limits = {"assessed_amount": limits.MONEY, "paid_amount": limits.MONEY}

    to_status = serializers.ChoiceField(
        label=_("新状态"), choices=[c for c in ClaimStatus.choices if c[0] != ClaimStatus.REPORTED])
    on_date = serializers.DateField(label=_("日期"), required=False, allow_null=True)
    assessed_amount = serializers.DecimalField(
        label=Claim._meta.get_field("assessed_amount").verbose_name, max_digits=limits.MONEY.max_digits,
        decimal_places=2, required=False, allow_null=True, min_value=limits.MONEY.low, max_value=limits.MONEY.high)
    paid_amount = serializers.DecimalField(
        label=Claim._meta.get_field("paid_amount").verbose_name, max_digits=limits.MONEY.max_digits,
        decimal_places=2, required=False, allow_null=True, min_value=limits.MONEY.low, max_value=limits.MONEY.high)
    reason = serializers.CharField(label=_("原因"), required=False, allow_blank=True, max_length=2000)


class ClaimDocumentSerializer(ValidatingModelSerializer):
    class Meta:
        model = ClaimDocument
        fields = ["id", "claim", "doc_type", "received", "note", "version"]
        read_only_fields = ["version"]

    def get_fields(self):
        fields = super().get_fields()
        user = _user(self)
        if user is not None:
            fields["claim"].queryset = scoping.visible(user, Claim.objects.all())
        return fields


# Viewsets -------------------------------------------------------------------


class InsurerViewSet(ScopedViewSet):
    model = Insurer
    serializer_class = InsurerSerializer
    roles = BUREAU_READERS
    write_roles = STAFF_WRITES
    filterset_fields = ["role"]


class FundingRuleViewSet(ScopedViewSet):
    model = FundingRule
    serializer_class = FundingRuleSerializer
    roles = BUREAU_READERS
    write_roles = STAFF_WRITES
    filterset_fields = ["insurance_type"]


class PolicyViewSet(ScopedViewSet):
    """Policies; principals read their own school's, only the bureau writes."""

    model = InsurancePolicy
    serializer_class = PolicySerializer
    write_roles = STAFF_WRITES
    select_related = ("insurer", "broker", "school")
    filterset_class = year_school_filterset(InsurancePolicy, ["policy_type"])


class FundingViewSet(ScopedViewSet):
    model = PremiumFunding
    serializer_class = FundingSerializer
    write_roles = STAFF_WRITES
    select_related = ("policy",)
    filterset_class = year_school_filterset(PremiumFunding, ["source"])


class CoverageViewSet(ScopedViewSet):
    model = StudentAccidentCoverage
    serializer_class = CoverageSerializer
    select_related = ("school",)
    filterset_class = year_school_filterset(StudentAccidentCoverage)


class ClaimViewSet(ScopedViewSet):
    """Claims: schools report (报案) and correct while 已报案; the bureau advances them."""

    model = Claim
    serializer_class = ClaimSerializer
    select_related = ("school", "policy")
    filterset_class = year_school_filterset(Claim, ["status", "claimant_kind"])

    def perform_destroy(self, instance):
        if not self.request.user.is_bureau:
            raise exceptions.PermissionDenied("理赔案件只能由勤工办撤销。")
        if instance.status != ClaimStatus.REPORTED:
            raise exceptions.ValidationError({"status": ["已进入理赔流程的案件不能删除。"]})
        super().perform_destroy(instance)

    @action(detail=True, methods=["post"], serializer_class=ClaimAdvanceSerializer)
    def advance(self, request, pk=None):
        claim = self.get_object()
        if not request.user.is_bureau:
            raise exceptions.PermissionDenied(str(services.STAFF_ONLY_MESSAGE))
        payload = ClaimAdvanceSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            result = services.claim_advance(user=request.user, claim=claim, **payload.validated_data)
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        except ConcurrentEditError as exc:
            raise exceptions.ValidationError({"version": [str(exc)]}) from exc
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
            ) from exc
        return Response(ClaimSerializer(result, context=self.get_serializer_context()).data)


class ClaimDocumentViewSet(ScopedViewSet):
    model = ClaimDocument
    serializer_class = ClaimDocumentSerializer
    select_related = ("claim",)
    filterset_class = year_school_filterset(ClaimDocument, ["claim"])

    def _check(self, claim):
        reason = services.claim_can_edit_reason(self.request.user, claim)
        if reason:
            raise exceptions.PermissionDenied(reason)

    def perform_create(self, serializer):
        self._check(serializer.validated_data["claim"])
        super().perform_create(serializer)

    def perform_update(self, serializer):
        self._check(serializer.instance.claim)
        if "claim" in serializer.validated_data:
            self._check(serializer.validated_data["claim"])
        super().perform_update(serializer)

    def perform_destroy(self, instance):
        self._check(instance.claim)
        super().perform_destroy(instance)
