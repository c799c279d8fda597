"""Pages for every registered Excel data kind: template, upload + preview + confirm, export."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from . import excel, excel_template, locks, scoping
from .mixins import RoleRequiredMixin
from .models import ImportUpload, ReportingYear
from .widgets import SchoolFilterForm
from .xlsx_writer import CONTENT_TYPE as XLSX_CONTENT_TYPE

UPLOAD_TTL = timedelta(hours=6)
RESULT_SESSION_KEY = "excel_import_result"  # the confirmed import's counts and links, shown once


def _registration(key: str) -> excel.Registration:
    registration = excel.get_registration(key)
    if registration is None:
        raise Http404
    return registration


def _year(request) -> ReportingYear | None:
    raw = request.POST.get("year") or request.GET.get("year")
    county = locks.county_of_user(request.user)
    try:
        year = ReportingYear.objects.filter(pk=int(raw)).first() if raw else scoping.default_entry_year(county)
    except (TypeError, ValueError):
        return None
    return locks.for_county(year, county)


def _safe_next(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return ""


def _template_school(request):
    """The school whose lists a staff member's template carries (None: every school's); a
    principal's template is always their own school's."""
    if request.user.is_principal:
        return None
    chosen = SchoolFilterForm(request.GET, user=request.user)
    if chosen.failed:
        raise Http404
    return chosen.school


class TemplateDownloadView(RoleRequiredMixin, View):
    def get(self, request, key):
        registration = _registration(key)
        year = _year(request)
        if year is not None and year.is_locked:
            year = None  # a template is for entering data: the year entry starts on
        data = excel_template.build_template(
            registration, user=request.user, school=_template_school(request), year=year)
        response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f"attachment; filename=template-{key}.xlsx"
        return response


class ExportView(RoleRequiredMixin, View):
    def get(self, request, key):
        registration = _registration(key)
        if request.user.role not in registration.export_roles:
            raise PermissionDenied(_("您的账号不能导出这类数据。"))
        year = request.GET.get("year")
        school = request.GET.get("school")
        try:
            year = int(year) if year else None
            school = int(school) if school else None
        except ValueError:
            raise Http404 from None
        handle = excel.write_export(registration, user=request.user, year=year, school=school)
        suffix = f"-{year}" if year else ""
        return FileResponse(handle, as_attachment=True, filename=f"{key}{suffix}.xlsx", content_type=XLSX_CONTENT_TYPE)


class ImportView(RoleRequiredMixin, View):
    template_name = "workstudy/excel_import.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            registration = _registration(kwargs["key"])
            if request.user.role not in registration.import_roles:
                raise PermissionDenied(_("您的账号不能导入这类数据。"))
        return super().dispatch(request, *args, **kwargs)

    def context(self, request, key, **extra):
        registration = _registration(key)
        year = extra.pop("year", None) or _year(request)
        school = request.user.school if request.user.is_principal else None
        return {
            "registration": registration,
            "key": key,
            "year": year,
            "years": scoping.entry_years(locks.county_of_user(request.user)),  # entry offers no locked year
            "next": _safe_next(request),
            "write_block_reason": scoping.write_block_reason(request.user, school=school, year=year)
            if request.user.is_principal else None,
            "template_school_filter": None if request.user.is_principal else SchoolFilterForm(None, user=request.user),
            **extra,
        }

    def get(self, request, key):
        result = None
        imported = request.GET.get("imported", "")
        stored = request.session.get(RESULT_SESSION_KEY)
        if imported and stored and str(stored.get("upload")) == imported and stored.get("key") == key:
            result = request.session.pop(RESULT_SESSION_KEY)
        return render(request, self.template_name, self.context(request, key, result=result))

    def post(self, request, key):
        registration = _registration(key)
        if "upload_id" in request.POST:
            return self.confirm(request, registration)
        upload = request.FILES.get("file")
        year = _year(request)
        if upload is None:
            return render(request, self.template_name, self.context(
                request, key, error=_("请选择要上传的 Excel 文件。")), status=400)
        if upload.size > settings.EXCEL_MAX_UPLOAD_BYTES:
            return render(request, self.template_name, self.context(request, key, error=_(
                "文件太大（%(size)s MB），单个文件不能超过 %(limit)s MB，请分成几个文件上传。") % {
                "size": round(upload.size / 1024 / 1024, 1),
                "limit": settings.EXCEL_MAX_UPLOAD_BYTES // 1024 // 1024}), status=400)
        data = upload.read()
        report = excel.run_import(registration, user=request.user, year=year, data=data, dry_run=True)
        stored = None
        if report.ok and report.total_rows:  # a file of the example row alone has nothing to confirm
            ImportUpload.objects.filter(created_at__lt=timezone.now() - UPLOAD_TTL).delete()
            stored = ImportUpload.objects.create(
                user=request.user, key=key, year=year, filename=upload.name[:255], content=data,
                sha256=excel.sha256_of(data),
            )
        return render(
            request, self.template_name,
            self.context(request, key, year=year, report=report, upload=stored, filename=upload.name),
            status=200 if report.ok else 400,
        )

    def confirm(self, request, registration):
        upload = ImportUpload.objects.filter(
            pk=request.POST.get("upload_id") if str(request.POST.get("upload_id", "")).isdigit() else None,
            user=request.user, key=registration.key, used_at__isnull=True,
            created_at__gte=timezone.now() - UPLOAD_TTL,
        ).first()
        if upload is None:
            messages.error(request, _("上传的文件已过期或已导入，请重新上传。"))
            return redirect(request.path)
        report = excel.run_import(
            registration, user=request.user, year=upload.year, data=bytes(upload.content), dry_run=False
        )
        if not report.ok:
            return render(request, self.template_name, self.context(
                request, registration.key, year=upload.year, report=report, filename=upload.filename), status=400)
        ImportUpload.objects.filter(pk=upload.pk).update(used_at=timezone.now(), content=b"")
        messages.success(request, _("导入成功：新增 %(new)s 行，更新 %(update)s 行。") % {
            "new": report.new, "update": report.update})
        request.session[RESULT_SESSION_KEY] = {
            "upload": upload.pk, "key": registration.key, "new": report.new, "update": report.update,
            "examples": report.examples, "links": _result_links(registration, request.user, report),
        }
        return redirect(_safe_next(request) or f"{request.path}?year={upload.year_id or ''}&imported={upload.pk}")


def _result_links(registration, user, report) -> list[dict]:
    """Links to the list pages showing the rows an import wrote: one per year, filtered to the
    school when the rows are all one school's."""
    resource = registration.resource_class(user=user)
    by_year: dict = {}
    for school, year in report.targets:
        by_year.setdefault(year, set()).add(school)
    links = []
    for year in sorted((y for y in by_year if y is not None), reverse=True):
        schools = by_year[year] - {None}
        school = next(iter(schools)) if len(schools) == 1 else None
        url = resource.rows_url(year=year, school=school)
        if url:
            links.append({"year": year, "url": str(url)})
    return links
