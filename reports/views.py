"""Pages of the annual summary. Who may open what is decided by ``roles`` (the view) and
:mod:`workstudy.scoping` (the rows): staff and auditors read every summary; staff edit
narrative, settings and documents of open years; a principal gets only their own school's sheet.

Narrative, settings and documents belong to a county or are shared by the whole deployment
(:mod:`reports.texts`). A county's staff write their county's rows only: a page of a part the
county has no row of starts from the shared row's text, and saving it makes the county's own
row (the shared row, printed by the other counties, is never changed from a county's page).
City and province staff read the rows of the county they pick and change nothing."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from workstudy import locks, scoping
from workstudy.mixins import READERS_OF_BUREAU_DATA, RoleRequiredMixin
from workstudy.models import ConcurrentEditError, Region, ReportingYear, Role, School, Submission, SubmissionStatus
from workstudy.participation import schools_of_year
from workstudy.xlsx_writer import CONTENT_TYPE as XLSX_CONTENT_TYPE

from . import archive, figures, pdf, quality, texts
from .forms import NarrativeForm, PolicyDocumentForm, SummarySettingsForm
from .models import DEFAULT_HEADINGS, ArchivedDocument, NarrativeBlock, PolicyDocument, Section, SummarySettings


def _year_or_404(year: int) -> ReportingYear:
    return get_object_or_404(ReportingYear, pk=year)


def archived_documents(user, qs):
    """The archived documents of ``qs`` that ``user`` reads: scoping's, less the archived summaries
    (one per year, of the whole deployment) for a reader who does not read every county that
    holds schools (in a deployment of one county, its readers read them)."""
    qs = scoping.visible(user, qs)
    readable = scoping.county_ids(user)
    mine = Q(county_id__in=readable)
    deployment = {county.pk for county in figures.counties_of_deployment()}
    if deployment <= set(readable):
        mine |= Q(county__isnull=True)
    return qs.exclude(Q(kind=ArchivedDocument.Kind.SUMMARY) & ~mine)


def summary_counties(request) -> tuple[Region, list[Region]]:
    """The county whose summary the request reads, and the counties its user may pick from: the
    counties of the user's region (:func:`workstudy.scoping.county_ids`; a county's staff and
    auditors: their own), ``?county=<id>`` among them, else the first. 404 for any other county
    and for a user who reads no county."""
    counties = list(Region.objects.filter(pk__in=scoping.county_ids(request.user), level=Region.Level.COUNTY)
                    .order_by("path"))
    if not counties:
        raise Http404
    wanted = request.GET.get("county")
    if not wanted:
        return counties[0], counties
    for county in counties:
        if str(county.pk) == wanted:
            return county, counties
    raise Http404


def county_query(county: Region, counties: list[Region], sep: str = "?") -> str:
    """``?county=<id>`` for a reader of several counties (pages keep the county picked), else ''."""
    return f"{sep}county={county.pk}" if len(counties) > 1 else ""


def own_or_copy(rows, county: Region, new, fields: tuple[str, ...]):
    """The row of ``county`` among ``rows`` (read by :func:`reports.texts.own_or_shared`), else
    ``new`` (an unsaved row, its county left to :func:`workstudy.scoping.stamp_county`) filled
    with the shared row's ``fields``: what a county's page edits."""
    rows = list(rows)
    own = next((row for row in rows if row.county_id == county.pk), None)
    if own is not None:
        return own
    shared = next((row for row in rows if row.county_id is None), None)
    if shared is not None:
        for name in fields:
            setattr(new, name, getattr(shared, name))
    return new


def save_county_row(request, form) -> bool:
    """Save ``form`` (its instance already stamped and checked): False with the error on the form
    when someone else wrote the same row meanwhile."""
    try:
        with transaction.atomic():
            form.save()
    except ConcurrentEditError as exc:
        form.add_error(None, str(exc))
    except IntegrityError:
        form.add_error(None, _("刚才有人同时修改了这一页，请刷新后重新填写。"))
    else:
        return True
    return False


def check_county_row(request, obj) -> None:
    """Before a county page saves ``obj``: a new row gets the writer's county; then scoping's
    answer (a city's or province's account, another county's row, a locked year: refused)."""
    scoping.stamp_county(request.user, obj)
    scoping.check_obj_write(request.user, obj)


class IndexView(RoleRequiredMixin, View):
    """Years with their summary (staff, auditors) or the principal's own school sheets."""

    def get(self, request):
        years = locks.read_county_locks(list(ReportingYear.objects.all()))
        issued = {d.year_id: d for d in archived_documents(request.user, ArchivedDocument.objects.filter(
            kind=ArchivedDocument.Kind.SUMMARY, superseded_at__isnull=True))}
        return render(request, "reports/index.html", {
            "rows": [{"year": locks.seen_by(request.user, y), "stored": issued.get(y.pk)} for y in years],
            "school": request.user.school if request.user.is_principal else None,
        })


class SummaryView(RoleRequiredMixin, View):
    roles = READERS_OF_BUREAU_DATA

    def get(self, request, year):
        county, counties = summary_counties(request)
        year_obj = locks.for_county(_year_or_404(year), county)  # locked by the county's own lock
        summary = figures.compute_cached(year, county)
        document_date = archive.lock_date(year_obj) if year_obj.is_locked else None
        context = pdf.document_context(summary, pdf=False, document_date=document_date)
        stored = archive.current(year_obj, ArchivedDocument.Kind.SUMMARY, county=county) if year_obj.is_locked else None
        pdf_status = None if year_obj.is_locked else pdf.summary_status(year, context["fingerprint"], county)
        if stored:
            pdf_sha256 = stored.sha256
        elif pdf_status is not None:
            pdf_sha256 = pdf_status.current.sha256 if pdf_status.current else None
        else:
            pdf_sha256 = pdf.cached_sha256(year, context["fingerprint"], county)
        query = f"?county={county.pk}" if len(counties) > 1 else ""
        context.update({
            "year_obj": year_obj,
            "stored": stored,
            "pdf_sha256": pdf_sha256,
            "pdf_status": pdf_status,
            "pdf_worker_silent": _worker_silent(pdf_status),
            "write_block_reason": _edit_block_reason(request.user, year_obj, county),
            "sections": [(key, Section(key).label, summary.narratives.get(key)) for key in Section.values],
            "sheets": _sheet_rows(year_obj, county),
            "archived": archived_documents(request.user, ArchivedDocument.objects.filter(year=year_obj)).filter(
                Q(school__county=county) | Q(school__isnull=True, county=county)
                | Q(school__isnull=True, county__isnull=True)).select_related("school"),
            "county": county,
            "counties": counties,
            "county_query": query,
        })
        return render(request, "reports/summary.html", context)


def _sheet_rows(year_obj: ReportingYear, county: Region) -> list[tuple]:
    """Every school of the year in ``county``, in code order, as the sheet table prints it (a
    county lists hundreds): code, name, its return's status, its sheet's URL and, for a locked
    year, its issued sheet's SHA-256 (None before the lock)."""
    statuses = dict(scoping.in_counties(Submission.objects.filter(year=year_obj), [county.pk])
                    .values_list("school_id", "status").order_by())
    labels = {value: str(label) for value, label in SubmissionStatus.choices}  # translated once, not per school
    not_entered = str(_("未填报"))
    issued = {}
    if year_obj.is_locked:
        issued = dict(scoping.in_counties(ArchivedDocument.objects.filter(
            year=year_obj, kind=ArchivedDocument.Kind.SHEET, superseded_at__isnull=True), [county.pk])
            .values_list("school_id", "sha256").order_by())
    # One reverse() for the table: the school's id put into it.
    marker = "987654321987654321"
    url = reverse("reports:school_sheet", kwargs={"year": year_obj.year, "school_id": marker})
    return [
        (code, name, labels.get(statuses.get(pk), not_entered), url.replace(marker, str(pk)), issued.get(pk))
        for pk, code, name in scoping.in_counties(schools_of_year(year_obj.year), [county.pk])
        .order_by("code").values_list("pk", "code", "name")
    ]


def _pdf_response(content: bytes, sha256: str, filename: str, *, extra: dict | None = None) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-SHA256"] = sha256
    response["Digest"] = "sha-256=" + base64.b64encode(bytes.fromhex(sha256)).decode()
    response["ETag"] = f'"{sha256}"'
    response["Cache-Control"] = "private, no-cache"
    for key, value in (extra or {}).items():
        response[key] = value
    return response


# A job waiting this long with no worker taking it: the page says the worker seems not to run.
WORKER_SILENT_SECONDS = 60
PENDING_REFRESH_SECONDS = 5


def _worker_silent(status) -> bool:
    since = status.waiting_since if status is not None else None
    return since is not None and (timezone.now() - since).total_seconds() > WORKER_SILENT_SECONDS


def _pending_response(request, download, title: str, back_url: str) -> HttpResponse:
    """No PDF of this document was made yet: a page that says it is being made and reloads
    itself (or, if making it failed, says so). Never renders here."""
    status = download.status
    failed = status is not None and status.failed
    response = render(request, "reports/pdf_pending.html", {
        "title": title, "back_url": back_url, "failed": failed, "job": status.job if status else None,
        "worker_silent": _worker_silent(status), "refresh": None if failed else PENDING_REFRESH_SECONDS,
    }, status=200 if failed else 202)
    if not failed:
        response["Retry-After"] = str(PENDING_REFRESH_SECONDS)
    response["Cache-Control"] = "no-store"
    response["X-Summary-Source"] = download.source
    return response


def _download_response(download, filename: str) -> HttpResponse:
    extra = {"X-Summary-Source": download.source}
    if download.fingerprint:
        extra.update({"X-Data-Version": str(download.data_version), "X-Data-Fingerprint": download.fingerprint})
    if download.generated_at:
        extra["X-PDF-Generated-At"] = download.generated_at.isoformat()
    if download.source == "earlier":
        extra["X-PDF-Newer-Pending"] = "1"
    return _pdf_response(download.content, download.sha256, filename, extra=extra)


def _summary_filename(year: int, county: Region, counties: list[Region]) -> str:
    """One name per year for a reader of one county; a reader of several gets the county's id in it."""
    return f"workstudy-summary-{year}.pdf" if len(counties) == 1 else f"workstudy-summary-{year}-{county.pk}.pdf"


def _summary_url(year: int, county: Region, counties: list[Region]) -> str:
    url = reverse("reports:summary", kwargs={"year": year})
    return url if len(counties) == 1 else f"{url}?county={county.pk}"


class SummaryPdfView(RoleRequiredMixin, View):
    """An open year's PDF is never rendered here: the worker makes it (:mod:`reports.render_jobs`);
    meanwhile the newest earlier one is served (the summary page says so)."""

    roles = READERS_OF_BUREAU_DATA

    def get(self, request, year):
        _year_or_404(year)
        county, counties = summary_counties(request)
        download = pdf.summary_download(year, county)
        if download.content is None:
            return _pending_response(request, download, _("%(year)s年度工作总结 PDF") % {"year": year},
                                     _summary_url(year, county, counties))
        return _download_response(download, _summary_filename(year, county, counties))


class SummaryShaView(RoleRequiredMixin, View):
    """The sidecar: ``sha256sum`` format, so ``sha256sum -c`` checks a downloaded file (the one a
    download serves now)."""

    roles = READERS_OF_BUREAU_DATA

    def get(self, request, year):
        _year_or_404(year)
        county, counties = summary_counties(request)
        download = pdf.summary_download(year, county)
        if download.content is None:
            return _pending_response(request, download, _("%(year)s年度工作总结 PDF") % {"year": year},
                                     _summary_url(year, county, counties))
        filename = _summary_filename(year, county, counties)
        response = HttpResponse(f"{download.sha256}  {filename}\n", content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.sha256"'
        return response


class QualityWorkbookView(RoleRequiredMixin, View):
    """The appendix's lists in full, as .xlsx (the PDF lists the first rows of each)."""

    roles = READERS_OF_BUREAU_DATA

    def get(self, request, year):
        _year_or_404(year)
        county, _counties = summary_counties(request)
        response = HttpResponse(quality.quality_workbook(year, county), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="workstudy-quality-{year}.xlsx"'
        return response


class SchoolSheetView(RoleRequiredMixin, View):
    """One school's one-page sheet; a principal can open only their own school (others: 404).
    A locked year's is the sheet issued at its lock, byte-identical on every download."""

    def get(self, request, year, school_id):
        school = scoping.get_visible_or_404(request.user, School.objects.all(), pk=school_id)
        year_obj = locks.for_county(_year_or_404(year), school.county_id)
        if year_obj.is_locked:
            # Only the schools of the year had sheets issued at its lock; another school's would be
            # a new "archived" document minted at this download.
            if not schools_of_year(year).filter(pk=school.pk).exists():
                raise Http404
            doc = archive.sheet_of(year_obj, school)
            return _pdf_response(archive.read(doc), doc.sha256, f"school-{school.code}-{year}.pdf",
                                 extra={"X-Summary-Source": "stored"})
        download = pdf.sheet_download(year, school)
        if download.content is None:
            back = reverse("reports:index") if request.user.is_principal else reverse(
                "reports:summary", kwargs={"year": year})
            return _pending_response(request, download, _("%(school)s %(year)s年度勤工俭学简表") % {
                "school": school.name, "year": year}, back)
        return _download_response(download, f"school-{school.code}-{year}.pdf")


class ArchivedDocumentView(RoleRequiredMixin, View):
    """An archived document by id, current or superseded (the archive list links here)."""

    def get(self, request, pk):
        doc = get_object_or_404(archived_documents(request.user, ArchivedDocument.objects.select_related("school")),
                                pk=pk)
        who = f"-{doc.school.code}" if doc.school_id else ""
        return _pdf_response(archive.read(doc), doc.sha256, f"workstudy-{doc.kind}{who}-{doc.year_id}.pdf",
                             extra={"X-Summary-Source": "stored"})


def _edit_block_reason(user, year_obj, county) -> str | None:
    """Why ``user`` may not write ``county``'s rows of the summary of ``year_obj`` (None: they may)."""
    if not user.is_bureau:
        return _("年度总结由勤工办撰写和维护。") if user.is_authenticated else _("请先登录。")
    return scoping.write_block_reason(user, school=None, year=year_obj, county=county)


class _StaffYearEdit(RoleRequiredMixin, View):
    roles = (Role.STAFF,)



class NarrativeEditView(_StaffYearEdit):
    """One section's narrative of the county read (a county's staff: theirs; ``?county=`` for a
    reader of several); a county without its own starts from the shared text."""

    def _load(self, request, year, section):
        if section not in Section.values:
            raise Http404
        year_obj = _year_or_404(year)
        county, counties = summary_counties(request)
        rows = texts.own_or_shared(NarrativeBlock.objects.filter(year=year_obj, section=section), county)
        block = own_or_copy(rows, county, NarrativeBlock(year=year_obj, section=section), ("heading", "text"))
        return year_obj, county, counties, block

    def _render(self, request, year_obj, county, counties, form, status=200):
        section = form.instance.section
        return render(request, "reports/narrative_form.html", {
            "form": form, "year": year_obj, "section_label": Section(section).label,
            "default_heading": DEFAULT_HEADINGS.get(section, ""),
            "write_block_reason": _edit_block_reason(request.user, year_obj, county),
            "county": county, "county_query": county_query(county, counties),
            "from_shared": form.instance.pk is None and bool(form.instance.text or form.instance.heading),
        }, status=status)

    def get(self, request, year, section):
        year_obj, county, counties, block = self._load(request, year, section)
        return self._render(request, year_obj, county, counties,
                            NarrativeForm(instance=block, can_approve=request.user.can_approve))

    def post(self, request, year, section):
        year_obj, county, counties, block = self._load(request, year, section)
        reason = _edit_block_reason(request.user, year_obj, county)
        if reason:
            raise PermissionDenied(reason)
        check_county_row(request, block)
        form = NarrativeForm(request.POST, instance=block, can_approve=request.user.can_approve)
        if form.is_valid() and save_county_row(request, form):
            messages.success(request, _("已保存。总结和 PDF 将使用新的文字。"))
            return redirect(_summary_url(year, county, counties) + f"#narr-{section}")
        return self._render(request, year_obj, county, counties, form, status=200)


class SettingsEditView(_StaffYearEdit):
    """The year's summary settings of the county read; a county without its own starts from the
    shared settings (or the default: the year alone)."""

    def _load(self, request, year):
        year_obj = _year_or_404(year)
        county, counties = summary_counties(request)
        rows = texts.own_or_shared(SummarySettings.objects.filter(year=year_obj), county)
        conf = own_or_copy(rows, county, SummarySettings(year=year_obj, period_start=year_obj.year),
                           ("period_start", "subsidy_mode", "base_coverage_threshold"))
        return year_obj, county, counties, conf

    def _render(self, request, year_obj, county, counties, form):
        return render(request, "reports/settings_form.html", {
            "form": form, "year": year_obj, "write_block_reason": _edit_block_reason(request.user, year_obj, county),
            "county": county, "county_query": county_query(county, counties),
            "from_shared": form.instance.pk is None,
        })

    def get(self, request, year):
        year_obj, county, counties, conf = self._load(request, year)
        return self._render(request, year_obj, county, counties, SummarySettingsForm(instance=conf))

    def post(self, request, year):
        year_obj, county, counties, conf = self._load(request, year)
        reason = _edit_block_reason(request.user, year_obj, county)
        if reason:
            raise PermissionDenied(reason)
        check_county_row(request, conf)
        form = SummarySettingsForm(request.POST, instance=conf)
        if form.is_valid() and save_county_row(request, form):
            messages.success(request, _("已保存。"))
            return redirect(_summary_url(year, county, counties))
        return self._render(request, year_obj, county, counties, form)


DOCUMENT_FIELDS = ("title", "issuer", "doc_no", "date", "kind", "topic")


class DocumentListView(RoleRequiredMixin, View):
    """The policy documents of the county read and the shared ones, each marked with whether the
    county's summary cites it (a county's own documents on a topic replace the shared ones on it)."""

    roles = READERS_OF_BUREAU_DATA

    def get(self, request):
        county, counties = summary_counties(request)
        docs = list(texts.own_or_shared(scoping.visible(request.user, PolicyDocument.objects.all()), county))
        cited = {doc.pk for doc in texts.choose(docs, county, lambda doc: doc.topic)}
        reason = scoping.write_block_reason(request.user, school=None, year=None, county=county)
        return render(request, "reports/documents.html", {
            "rows": [{"doc": doc, "cited": doc.pk in cited, "shared": doc.county_id is None} for doc in docs],
            "can_edit": request.user.is_bureau and reason is None, "write_block_reason": reason,
            "county": county, "counties": counties, "county_query": county_query(county, counties),
        })


class DocumentEditView(RoleRequiredMixin, View):
    """A county's document, or a new one; a shared document opened from a county's page is
    saved as the county's own copy (the other counties keep citing the shared one)."""

    roles = (Role.STAFF,)

    def _load(self, request, pk):
        """The county of the page, its counties and the document: a county's document opens on its
        own county's page; a shared one on the page of the county picked, as that county's copy."""
        county, counties = summary_counties(request)
        if pk is None:
            return county, counties, PolicyDocument()
        doc = scoping.get_visible_or_404(request.user, PolicyDocument.objects.all(), pk=pk)
        if doc.county_id is None:  # the county's copy made earlier, else a new one
            same = texts.own_or_shared(PolicyDocument.objects.filter(issuer=doc.issuer, title=doc.title), county)
            return county, counties, own_or_copy(same, county, PolicyDocument(), DOCUMENT_FIELDS)
        county = next((c for c in counties if c.pk == doc.county_id), None)
        if county is None:
            raise Http404
        return county, counties, doc

    def _render(self, request, county, counties, form):
        return render(request, "reports/document_form.html", {
            "form": form, "county": county, "county_query": county_query(county, counties),
            "write_block_reason": scoping.write_block_reason(request.user, school=None, year=None, county=county),
            "from_shared": form.instance.pk is None and bool(form.instance.title),
        })

    def get(self, request, pk=None):
        county, counties, doc = self._load(request, pk)
        return self._render(request, county, counties, PolicyDocumentForm(instance=doc))

    def post(self, request, pk=None):
        county, counties, doc = self._load(request, pk)
        check_county_row(request, doc)
        form = PolicyDocumentForm(request.POST, instance=doc)
        if form.is_valid() and save_county_row(request, form):
            messages.success(request, _("已保存。"))
            return redirect(reverse("reports:documents") + county_query(county, counties))
        return self._render(request, county, counties, form)
