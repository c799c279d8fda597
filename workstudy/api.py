"""REST API base: permission and scoped viewsets every app's API builds on.

Viewsets start from ``.none()``; ``get_queryset()`` through :mod:`workstudy.scoping` is
the only way in. Writes are checked against the same rules as the pages.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping

import django_filters
from django import forms
from django.conf import settings
from django.core import validators as django_validators
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import limits, locks, scoping, services
from .models import ConcurrentEditError, ReportingYear, School, Submission
from .permissions import PortalPermission  # noqa: F401  (re-exported for apps)


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "请求内容过大。"
    default_code = "payload_too_large"


def refuse_oversized_body(request) -> None:
    """413 with a message for a body above DATA_UPLOAD_MAX_MEMORY_SIZE, whether or not the
    view reads it (an action that ignores its body must not accept megabytes either)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except (TypeError, ValueError):
        raise exceptions.ParseError("请求头 Content-Length 无效。") from None
    if limit is not None and length > limit:
        raise PayloadTooLarge(
            "请求内容过大（%(size)s 字节），上限为 %(limit)s 字节。" % {"size": length, "limit": limit}
        )


def exception_handler(exc, context):
    """DRF's handler, with its untranslated parser messages put in the users' words."""
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, exceptions.ParseError):
        detail = str(exc.detail)
        if detail.startswith("JSON parse error"):
            reason = detail[len("JSON parse error - "):]
            exc = exceptions.ParseError("请求内容不是有效的 JSON（%(detail)s）。" % {"detail": reason})
        elif "parse error" in detail.lower():
            exc = exceptions.ParseError("请求内容无法解析，请检查格式（%(detail)s）。" % {"detail": detail})
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict):
        errors = response.data.get("non_field_errors")
        if errors == ["No data provided"]:
            response.data["non_field_errors"] = ["没有提交任何数据。"]
    return response


class BodySizeLimitMixin:
    def initial(self, request, *args, **kwargs):
        refuse_oversized_body(request)
        super().initial(request, *args, **kwargs)


def _drf_error(exc):
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    return exc


class ScopedViewSet(BodySizeLimitMixin, viewsets.ModelViewSet):
    """ModelViewSet whose rows and writes are decided by :mod:`workstudy.scoping`.

    Subclasses set ``model``, ``serializer_class`` and optionally ``filterset_fields``
    / ``select_related``. Serializers should call the model's ``full_clean()`` (use
    :class:`ValidatingModelSerializer`) so the API enforces the same rules as forms.
    """

    model = None
    select_related: tuple[str, ...] = ()
    queryset = None

    def get_queryset(self):
        if self.model is None:
            return School.objects.none()
        qs = self.model._default_manager.all()
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        qs = scoping.visible(self.request.user, qs)
        return qs.order_by(*(qs.model._meta.ordering or ["pk"]))

    def perform_create(self, serializer):
        instance = self.model(**serializer.validated_data)
        scoping.stamp_county(self.request.user, instance)
        stamped = getattr(instance, "county", None) if scoping.county_path(self.model) == "county" else None
        county = {"county": stamped} if stamped is not None else {}
        reason = scoping.write_block_reason(
            self.request.user, school=scoping.school_of(instance), year=scoping.year_of(instance), model=self.model,
            county=scoping.county_of(instance),
        )
        if reason:
            raise exceptions.PermissionDenied(reason)
        try:
            serializer.save(**county)
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise _drf_error(exc) from exc

    def perform_update(self, serializer):
        reason = scoping.obj_write_block_reason(self.request.user, serializer.instance)
        if reason:
            raise exceptions.PermissionDenied(reason)
        instance = serializer.instance
        for attr, value in serializer.validated_data.items():
            setattr(instance, attr, value)
        scoping.stamp_county(self.request.user, instance)
        reason = scoping.obj_write_block_reason(self.request.user, instance)
        if reason:
            raise exceptions.PermissionDenied(reason)
        try:
            serializer.save()
        except ConcurrentEditError as exc:
            raise exceptions.ValidationError({"version": [str(exc)]}) from exc
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise _drf_error(exc) from exc

    def perform_destroy(self, instance):
        reason = scoping.obj_write_block_reason(self.request.user, instance)
        if reason:
            raise exceptions.PermissionDenied(reason)
        try:
            instance.delete()
        except ProtectedError as exc:
            raise exceptions.ValidationError(
                {"detail": [_("“%(obj)s”下还有其他数据，不能删除。请先删除这些数据。") % {"obj": instance}]}
            ) from exc


_VALIDATOR_CODES = {
    django_validators.MaxLengthValidator: ("max_length", "max_length"),
    django_validators.MinLengthValidator: ("min_length", "min_length"),
    django_validators.MinValueValidator: ("min_value", "min_value"),
    django_validators.MaxValueValidator: ("max_value", "max_value"),
}


def _worded(validator, label, messages: dict):
    """A field's validator with the portal's message (DRF words its own at field creation)."""
    if isinstance(validator, limits.InRange):
        return limits.InRange(validator.limit, label)
    code = _VALIDATOR_CODES.get(type(validator))
    if code is None or code[0] not in messages:
        return validator
    # Django fills a validator's message with %-params; DRF's own use {}-names.
    text = messages[code[0]].format(**{code[1]: validator.limit_value}).replace("%", "%%")
    return type(validator)(validator.limit_value, message=text)


class PortalSerializerMixin:
    """Every field's refusals in the portal's words (:func:`workstudy.limits.field_messages`),
    naming the field and, for a number, its allowed range; never DRF's generic text. A field
    without a model field takes its limit from ``field_limits``."""

    field_limits: dict = {}

    def get_fields(self):
        fields = super().get_fields()
        model = getattr(getattr(self, "Meta", None), "model", None)
        for name, field in fields.items():
            if field.read_only:
                continue
            model_field = limits.model_field(model, getattr(field, "source", None) or name)
            label = getattr(model_field, "verbose_name", None) or field.label or name
            limit = limits.limit_of(model_field) if model_field is not None else self.field_limits.get(name)
            messages = limits.field_messages(label, limit, kind=limits.number_kind(field), style="api")
            field.error_messages.update(messages)
            field.validators = [_worded(v, label, messages) for v in field.validators]
        return fields


class ValidatingModelSerializer(PortalSerializerMixin, serializers.ModelSerializer):
    """Runs the model's own ``full_clean()`` so API writes obey the named rules.

    If the model has a ``version`` field, clients send it back on update; a stale
    version is refused (optimistic locking).
    """

    # Keys a browser form may add that are not data.
    IGNORED_KEYS = frozenset({"csrfmiddlewaretoken", "_method", "_content", "_content_type"})
    # Read-only keys clients legitimately send back (optimistic locking, echoing the row).
    ECHO_KEYS = frozenset({"version", "id"})

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            self._refuse_unknown_and_read_only(data)
        try:
            return super().to_internal_value(data)
        except exceptions.ValidationError as exc:
            if not isinstance(exc.detail, dict) or not isinstance(data, Mapping):
                raise
            raise exceptions.ValidationError(self._with_model_errors(data, exc.detail)) from None

    def _with_model_errors(self, data, detail: dict) -> dict:
        """Field errors plus the model's own checks on the fields that could be read, so a
        client is told every problem in one answer (as a page shows them)."""
        from rest_framework.fields import SkipField, empty

        attrs: dict = {}
        for field in self._writable_fields:
            if field.field_name in detail:
                continue
            try:
                value = field.run_validation(field.get_value(data))
            except (exceptions.ValidationError, DjangoValidationError, SkipField):
                continue
            if value is not empty:
                self.set_value(attrs, field.source_attrs, value)
        merged = dict(detail)
        failed = {self.fields[name].source for name in detail if name in self.fields}
        model_fields = {f.name for f in self.Meta.model._meta.get_fields()}
        readable = {name: value for name, value in attrs.items() if name in model_fields}
        shown = {name for name, f in self.fields.items() if not f.read_only}
        try:
            model_errors = self._model_errors(readable, exclude=failed)
        except Exception:  # noqa: BLE001 - a check needing a field that failed: its own error is enough
            model_errors = {}
        for name, messages in model_errors.items():
            if name in shown and name not in failed and name not in merged:
                merged[name] = messages
        return merged

    def _model_errors(self, attrs: dict, exclude=()) -> dict:
        model = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
        for attr, value in attrs.items():
            if not model._meta.get_field(attr).many_to_many:
                setattr(instance, attr, value)
        try:
            instance.full_clean(exclude=list(exclude), validate_unique=True, validate_constraints=True)
        except DjangoValidationError as exc:
            return exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return {}

    def _refuse_unknown_and_read_only(self, data):
        """An unknown key or a changed read-only value is a 400, not silently dropped:
        a client PATCHing ``status`` must not believe it approved anything."""
        errors = {}
        writable = sorted(name for name, f in self.fields.items() if not f.read_only)
        for key in data.keys():
            if key in self.IGNORED_KEYS or key in self.ECHO_KEYS:
                continue
            field = self.fields.get(key)
            if field is None:
                errors[key] = [
                    "未知字段“%(key)s”。可填写的字段：%(fields)s。" % {"key": key, "fields": "、".join(writable)}
                ]
            elif field.read_only and self.instance is not None and not isinstance(self.instance, list):
                try:
                    current = field.to_representation(field.get_attribute(self.instance))
                except Exception:  # noqa: BLE001 - unreadable means we cannot accept a change
                    current = object()
                sent = data.get(key)
                if sent != current and str(sent) != str(current):
                    errors[key] = ["“%(key)s”是只读字段，不能通过接口修改。" % {"key": key}]
        if errors:
            raise exceptions.ValidationError(errors)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        # Validate a copy: the original must stay as loaded until the scoping checks ran.
        errors = self._model_errors(attrs)
        if errors:
            raise exceptions.ValidationError(errors)
        return attrs

    def update(self, instance, validated_data):
        sent = self.initial_data.get("version") if isinstance(self.initial_data, dict) else None
        if sent is not None:
            try:
                instance.version = int(sent)
            except (TypeError, ValueError):
                raise exceptions.ValidationError({"version": ["版本号必须是整数。"]}) from None
        return super().update(instance, validated_data)


class IntegerFilter(django_filters.NumberFilter):
    """A whole-number filter (NumberFilter takes decimals, so ``1.5`` and 10**20 got through)."""

    field_class = forms.IntegerField


class YearSchoolFilter(django_filters.FilterSet):
    """Base filterset: ``?year=`` and ``?school=`` for any registered model."""

    # Integer fields with bounds: ?year=99999999999999999999 is a 400, not a database overflow,
    # and a year stays within what ``datetime`` accepts (apps filter ``date__year=value``).
    year = IntegerFilter(method="filter_year", label="年度", min_value=1, max_value=9999)
    school = IntegerFilter(method="filter_school", label="学校ID", min_value=0, max_value=2**63 - 1)

    def filter_year(self, queryset, name, value):
        return scoping.filter_school_year(queryset, year=int(value))

    def filter_school(self, queryset, name, value):
        return scoping.filter_school_year(queryset, school=int(value))


def year_school_filterset(model_class, extra_fields=()):
    """A FilterSet for ``model_class`` with year/school filters plus ``extra_fields``."""
    meta = type("Meta", (), {"model": model_class, "fields": list(extra_fields)})
    return type(f"{model_class.__name__}FilterSet", (YearSchoolFilter,), {"Meta": meta})


# Core API -----------------------------------------------------------------


class SchoolSerializer(PortalSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = School
        fields = [
            "id", "code", "name", "township", "kind", "area_class", "is_boarding", "has_dormitory",
            "has_canteen", "active",
        ]


class SchoolViewSet(BodySizeLimitMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = SchoolSerializer
    queryset = School.objects.none()
    filterset_fields = ["kind", "area_class", "township", "active"]

    def get_queryset(self):
        return scoping.schools_for(self.request.user).order_by("code")


class ReportingYearSerializer(PortalSerializerMixin, serializers.ModelSerializer):
    """A year as the reader's county has it: locked (and when) by the county's own lock, with the
    county's deadline (the whole year's above the county)."""

    class Meta:
        model = ReportingYear
        fields = ["year", "status", "deadline", "locked_at", "data_version"]

    def to_representation(self, instance):
        request = self.context.get("request")
        county = locks.county_of_user(request.user) if request is not None else None
        data = super().to_representation(locks.for_county(instance, county))
        deadline = services.deadline_of(instance, county)
        data["deadline"] = deadline.isoformat() if deadline else None
        return data


class ReportingYearViewSet(BodySizeLimitMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ReportingYearSerializer
    queryset = ReportingYear.objects.none()

    def get_queryset(self):
        return ReportingYear.objects.all() if self.request.user.is_authenticated else ReportingYear.objects.none()


class SubmissionSerializer(ValidatingModelSerializer):
    school_name = serializers.CharField(source="school.name", read_only=True)

    class Meta:
        model = Submission
        fields = [
            "id", "school", "school_name", "year", "status", "staff_count", "student_count", "boarding_count",
            "poor_student_count", "explanation", "returned_reason", "submitted_at", "reviewed_at", "version",
        ]
        read_only_fields = [
            "school", "year", "status", "returned_reason", "submitted_at", "reviewed_at", "version",
        ]


class SubmissionViewSet(ScopedViewSet):
    """Each school's yearly return. Counts are edited with PATCH; workflow via actions."""

    model = Submission
    serializer_class = SubmissionSerializer
    select_related = ("school", "year")
    filterset_class = year_school_filterset(Submission, ["status"])
    http_method_names = ["get", "patch", "post", "head", "options"]

    def create(self, request, *args, **kwargs):
        raise exceptions.MethodNotAllowed("POST")

    def _run(self, func, **kwargs):
        submission = self.get_object()
        try:
            result = func(user=self.request.user, submission=submission, **kwargs)
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        except DjangoValidationError as exc:
            raise exceptions.ValidationError({"detail": exc.messages}) from exc
        return Response(self.get_serializer(result).data)

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._run(services.submission_submit)

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._run(services.submission_approve)

    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        reason = request.data.get("reason", "") if isinstance(request.data, dict) else ""
        return self._run(services.submission_return, reason=str(reason))
