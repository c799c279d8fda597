"""PDF output: WeasyPrint with a fetcher that can only read our own static files, the
cached/stored copies of the summary, and the one-page school sheet.

Paths a PDF can take, fastest first:

1. a locked year: the :class:`~reports.models.ArchivedDocument` issued when it was locked
   (:mod:`reports.archive`), read from default storage and served byte-identical;
2. an open year whose data did not change since the last PDF: the bytes cached under the
   data fingerprint (the figures are computed to get the fingerprint, the PDF is not);
3. render: figures -> HTML -> WeasyPrint with the bundled GB2312 fonts.

A web request never takes path 3 for an open year (:func:`summary_download`,
:func:`sheet_download`): it asks ``manage.py pdf_worker`` for the PDF of the current data
(:mod:`reports.render_jobs`) and meanwhile serves the newest PDF made earlier, or a page saying
it is being made. ``settings.PORTAL_PDF_INLINE`` (tests, development) renders in the request.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import logging
import mimetypes
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.utils import timezone

from workstudy import freshness, locks
from workstudy.models import ReportingYear

from . import figures, render_jobs, weasy
from .models import DEFAULT_HEADINGS, Section

logger = logging.getLogger(__name__)

# WeasyPrint resolves the documents' relative URLs against this made-up origin; the fetcher
# maps <origin>/static/... to files found by the staticfiles finders and refuses the rest.
PDF_ORIGIN = "https://portal.pdf.invalid"
CACHE_SECONDS = 24 * 3600


class RefusedURL(ValueError):
    pass


def _allowed_roots() -> list[Path]:
    roots = [Path(p).resolve() for p in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return roots


def static_only_fetcher():
    """A WeasyPrint URL fetcher that serves only the project's static files.

    ``file://``, ``http(s)://`` anywhere (localhost included), ``ftp:`` and ``data:``
    addresses are refused without being opened; ``refused`` lists what was asked for.
    """
    weasy.load()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def __init__(self):
            super().__init__(timeout=1, allow_redirects=False)
            self.refused: list[str] = []
            self.served: list[str] = []
            # Images made for the document being rendered (the charts, see charts_as_images):
            # address -> SVG bytes. Only addresses put here by our own code are served from it.
            self.images: dict[str, bytes] = {}

        def fetch(self, url, headers=None):
            if url in self.images:
                self.served.append(url)
                return URLFetcherResponse(url, body=self.images[url], headers={"Content-Type": "image/svg+xml"})
            path = self._static_path(url)
            if path is None:
                self.refused.append(url)
                logger.info("PDF fetcher refused %s", url[:200])
                raise RefusedURL(f"refused: {url[:200]}")
            self.served.append(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=_read_static(str(path)), headers={"Content-Type": content_type})

        @staticmethod
        def _static_path(url: str) -> Path | None:
            parts = urlsplit(url)
            if f"{parts.scheme}://{parts.netloc}" != PDF_ORIGIN or parts.query:
                return None
            prefix = settings.STATIC_URL
            if not parts.path.startswith(prefix):
                return None
            relative = unquote(parts.path[len(prefix):])
            if not relative or ".." in relative.split("/") or relative.startswith("/") or "\\" in relative:
                return None
            found = finders.find(relative)
            if not found and settings.STATIC_ROOT:
                # Production serves collected files under hashed names (ManifestStaticFilesStorage):
                # those exist only in STATIC_ROOT, not in the apps' static folders.
                collected = Path(settings.STATIC_ROOT) / relative
                found = str(collected) if collected.is_file() else None
            if not found:
                return None
            resolved = Path(found).resolve()
            if not any(resolved.is_relative_to(root) for root in _allowed_roots()):
                return None
            return resolved

    return StaticOnlyFetcher()


_STATIC_BYTES: dict[str, bytes] = {}


def _read_static(path: str) -> bytes:
    # Fonts are megabytes; keep them in memory for the life of the process.
    if path not in _STATIC_BYTES:
        _STATIC_BYTES[path] = Path(path).read_bytes()
    return _STATIC_BYTES[path]


def css_string(text: str) -> str:
    """``text`` as the inside of a CSS string (every non-alphanumeric char escaped)."""
    return "".join(ch if ch.isalnum() and ord(ch) < 128 or ord(ch) > 0x2E7F else f"\\{ord(ch):x} " for ch in text)


@functools.cache
def _engine():
    """The template engine of the PDF documents: the project's template directory and only the
    tag libraries they load. The site's engine imports every installed app's template tags on
    first use (Django REST framework's pull in requests, PyYAML and Pygments: about a tenth of
    a cold summary PDF), none of which a PDF needs."""
    from django.template import Engine

    return Engine(
        dirs=[str(path) for path in settings.TEMPLATES[0]["DIRS"]],
        libraries={"static": "django.templatetags.static", "reports_tags": "reports.templatetags.reports_tags"},
    )


def render_document(template_name: str, context: dict) -> str:
    """Render a PDF document's HTML (auto-escaped, like every template of the site)."""
    from django.template import Context

    return _engine().get_template(template_name).render(Context(context))


# A chart as the summary prints it: pygal's inline <svg class="pygal-chart" ...>...</svg> as the
# first thing in a <figure class="chart">, whose stylesheet sizes an img.chart as the svg.
_CHART_SVG = re.compile(r'(<figure class="chart">\s*)(<svg\b[^>]*\bclass="pygal-chart"[^>]*>.*?</svg>)', re.S)


def charts_as_images(html: str, fetcher) -> str:
    """``html`` with each inline chart replaced by an ``<img>`` of the same SVG, which ``fetcher``
    serves from memory for this document.

    The drawing is the same, but WeasyPrint then reads the chart with the XML parser (in C)
    instead of its HTML parser (pure Python), and its elements are not put through the
    document's cascade: the three charts are about 70% of the summary's HTML and a third of
    its elements. Only charts in a ``<figure class="chart">`` are passed so (the summary's;
    other documents size their inline charts in their own styles), and a chart that is not
    well-formed XML stays inline. The HTML page and ``build_summary --format html`` keep the
    charts inline (they call the templates, not this)."""
    images = getattr(fetcher, "images", None)
    if images is None:
        return html

    def replace(match) -> str:
        opening, svg = match.groups()
        try:
            ElementTree.fromstring(svg)
        except ElementTree.ParseError:
            return match.group(0)
        body = svg.encode("utf-8")
        url = f"{PDF_ORIGIN}/charts/{hashlib.sha256(body).hexdigest()[:20]}.svg"
        images[url] = body
        return f'{opening}<img class="chart" src="{url}" alt="">'

    return _CHART_SVG.sub(replace, html)


def weasyprint_html(html: str, fetcher, weasyprint=None):
    """The ``weasyprint.HTML`` of one of our documents: charts as images (:func:`charts_as_images`),
    every address resolved against :data:`PDF_ORIGIN` and fetched by ``fetcher``."""
    weasyprint = weasyprint or weasy.load()
    return weasyprint.HTML(string=charts_as_images(html, fetcher), base_url=PDF_ORIGIN + "/", url_fetcher=fetcher)


_heap = {"frozen": False}


def freeze_heap_once() -> None:
    """Take what the process holds before its first PDF out of the garbage collector's walks.

    A process that renders a PDF holds a large heap before WeasyPrint starts (Django, the
    apps, WeasyPrint's modules and user-agent stylesheets, the figures). Every full collection
    while WeasyPrint allocates its boxes walks all of it, and so do the collections the
    interpreter makes when it exits: together about a sixth of a cold ``build_summary`` on the
    demo county (0.3-0.4 s of 2.2 s CPU). ``gc.freeze()`` moves every object that exists now
    into a permanent generation the collector no longer walks; garbage is collected first, so
    nothing already unreachable is kept. Done once per process: a cycle among those objects
    that becomes unreachable later is never collected, which bounds what can be kept to what
    existed at the first render (reference counting still frees everything else)."""
    if not _heap["frozen"]:
        _heap["frozen"] = True
        gc.collect()
        gc.freeze()


def html_to_pdf(html: str, *, fetcher=None) -> bytes:
    weasyprint = weasy.load()
    fetcher = fetcher or static_only_fetcher()
    freeze_heap_once()
    return weasyprint_html(html, fetcher, weasyprint).write_pdf()


# -- the summary -----------------------------------------------------------------------


def headings_for(summary) -> dict[str, str]:
    return {
        key: ((summary.narratives.get(key) and summary.narratives[key].heading) or DEFAULT_HEADINGS.get(key, ""))
        for key in Section.values
    }


def document_context(summary, *, pdf: bool, generated_at: datetime | None = None,
                     document_date: date | None = None) -> dict:
    """What the summary's templates print. ``document_date`` is the date the document bears (落款
    and cover): a locked year's is its lock date (:mod:`reports.archive`); an open year's is
    the day it is made, and the document says 征求意见稿 on every page."""
    generated_at = timezone.localtime(generated_at or timezone.now())
    return {
        "summary": summary,
        "charts": summary.charts(),
        "headings": headings_for(summary),
        "fingerprint": summary.fingerprint(),
        "generated_at": generated_at,
        "document_date": document_date or generated_at.date(),
        "draft": not summary.year_locked,
        "pdf": pdf,
    }


def summary_html_for_pdf(summary, *, generated_at: datetime | None = None, naive_fonts: bool = False,
                         document_date: date | None = None) -> str:
    context = document_context(summary, pdf=True, generated_at=generated_at, document_date=document_date)
    if naive_fonts:
        context["naive_css"] = naive_css()
    header = f"{summary.bureau} · {summary.year}年度学校勤工俭学工作总结"
    context["running_header_css"] = css_string(running_header(header, draft=context["draft"]))
    return render_document("reports/summary_pdf.html", context)


DRAFT_MARK = "征求意见稿"


def running_header(text: str, *, draft: bool) -> str:
    """Every page's header; an open year's document says it is a draft there (and on its cover)."""
    return f"【{DRAFT_MARK}】{text}" if draft else text


def naive_css() -> str:
    """The PDF stylesheet on the stock system fonts (for ``bench_summary``'s comparison only)."""
    css = Path(finders.find("reports/css/summary-pdf.css")).read_text(encoding="utf-8")
    css = "\n".join(line for line in css.splitlines() if not line.startswith("@font-face"))
    return css.replace('"Report Serif"', '"Noto Serif CJK SC"').replace('"Report Sans"', '"Noto Sans CJK SC"')


@dataclass(frozen=True)
class SummaryPdf:
    year: int
    content: bytes
    sha256: str
    fingerprint: str
    data_version: int
    generated_at: datetime
    source: str  # stored / cache / rendered

    @property
    def filename(self) -> str:
        return f"workstudy-summary-{self.year}.pdf"


def _result(year, content, fingerprint, data_version, generated_at, source) -> SummaryPdf:
    return SummaryPdf(year, content, hashlib.sha256(content).hexdigest(), fingerprint, data_version, generated_at, source)


def render_summary(year: int, *, summary=None, document_date: date | None = None, county=None) -> SummaryPdf:
    """Compute the figures (a locked year's as kept at its lock; ``county``'s only when given)
    and render the PDF (no cache)."""
    summary = summary or figures.frozen(year, county) or figures.compute(year, county)
    generated_at = timezone.now()
    html = summary_html_for_pdf(summary, generated_at=generated_at, document_date=document_date)
    return _result(year, html_to_pdf(html), summary.fingerprint(), summary.data_version, generated_at, "rendered")


def _cache_key(year: int, fingerprint: str, county=None) -> str:
    suffix = f":county:{county.pk}" if county is not None else ""
    return f"reports:summary-pdf:{year}:{fingerprint}{suffix}"


def summary_pdf(year: int, county=None) -> SummaryPdf:
    """The summary PDF of ``year`` (of ``county`` when given): the copy archived at the lock when
    the year is locked for the county (for every county: the deployment's), else cached or rendered."""
    from . import archive

    year_obj = ReportingYear.objects.get(pk=year)
    if locks.is_locked(year_obj, county):
        doc = archive.summary_of(locks.for_county(year_obj, county), county)
        return SummaryPdf(year, archive.read(doc), doc.sha256, doc.fingerprint, doc.data_version,
                          doc.generated_at, "stored")
    document_date = None
    # Nothing changed since the last PDF of this year: serve it without computing anything.
    generation_key = f"reports:summary-pdf-gen:{year}:{county.pk if county else ''}:{freshness.generation()}"
    known = cache.get(generation_key)
    if known is not None:
        cached = cache.get(_cache_key(year, known["fingerprint"], county))
        if cached is not None:
            return SummaryPdf(year, cached["content"], cached["sha256"], known["fingerprint"], known["data_version"],
                              cached["generated_at"], "cache")
    summary = figures.compute_cached(year, county)
    fingerprint = summary.fingerprint()
    cached = cache.get(_cache_key(year, fingerprint, county))
    if cached is not None:
        result = SummaryPdf(year, cached["content"], cached["sha256"], fingerprint, summary.data_version,
                            cached["generated_at"], "cache")
    else:
        result = render_summary(year, summary=summary, document_date=document_date)
        cache.set(_cache_key(year, fingerprint, county), {"content": result.content, "sha256": result.sha256,
                                                          "generated_at": result.generated_at}, CACHE_SECONDS)
    cache.set(generation_key, {"fingerprint": fingerprint, "data_version": summary.data_version}, freshness.TTL)
    return result


def cached_sha256(year: int, fingerprint: str, county=None) -> str | None:
    """SHA-256 of the PDF already made for this exact data, if any (for the HTML page)."""
    cached = cache.get(_cache_key(year, fingerprint, county))
    return cached["sha256"] if cached else None


# -- the school sheet ------------------------------------------------------------------------


def school_sheet_pdf(year: int, school, *, document_date: date | None = None, context: dict | None = None) -> bytes:
    """Render one school's sheet (an open year's: a draft dated today; see :mod:`reports.archive`
    for a locked year's, issued at the lock), from ``context`` when its data was kept at the lock."""
    from . import sheets

    context = dict(context) if context else sheets.school_sheet_context(year, school, document_date=document_date)
    if document_date:
        context["document_date"] = document_date
    context["running_header_css"] = css_string(
        running_header(f"{settings.PORTAL_BUREAU_NAME} · {year}年度学校勤工俭学简表", draft=context["draft"]))
    html = render_document("reports/school_sheet_pdf.html", context)
    return html_to_pdf(html)


# -- downloads: what a web request serves ------------------------------------------------------


@dataclass(frozen=True)
class Download:
    """What a download gets. ``content`` is None while no PDF of the document was ever made
    (``source`` "pending"); ``source`` "earlier" is a PDF of older data served while the one
    of the current data is being made (``status`` says how that stands)."""

    content: bytes | None
    sha256: str
    fingerprint: str
    data_version: int
    generated_at: datetime | None
    source: str  # stored / cache / rendered (in the request) / made (by the worker) / earlier / pending
    status: render_jobs.Status | None = None


def _from_status(status: render_jobs.Status, fingerprint: str, data_version: int) -> Download:
    served = status.served
    if served is None:
        return Download(None, "", fingerprint, data_version, None, "pending", status)
    return Download(served.read(), served.sha256, served.fingerprint, served.data_version, served.generated_at,
                    "made" if status.current else "earlier", status)


def summary_download(year: int, county=None) -> Download:
    """The summary PDF a download of ``year`` (of ``county`` when given) serves, without rendering
    it here (an open year's, and a locked year's county summary other than the archived one, is
    made by the worker) unless ``PORTAL_PDF_INLINE``."""
    year_obj = ReportingYear.objects.get(pk=year)
    result = None
    if locks.is_locked(year_obj, county) or render_jobs.inline():
        result = summary_pdf(year, county)
    if result is not None:
        return Download(result.content, result.sha256, result.fingerprint, result.data_version, result.generated_at,
                        result.source)
    summary = figures.compute_cached(year, county)
    status = render_jobs.status(render_jobs.Kind.SUMMARY, year, summary.fingerprint(), county=county)
    return _from_status(status, summary.fingerprint(), summary.data_version)


def summary_status(year: int, fingerprint: str, county=None) -> render_jobs.Status | None:
    """For a summary page whose PDF the worker makes: how the PDF of ``fingerprint`` stands (asked
    for now if not made, so it is ready by the time someone downloads it); None when PDFs render inline."""
    if render_jobs.inline():
        return None
    return render_jobs.status(render_jobs.Kind.SUMMARY, year, fingerprint, county=county)


def sheet_download(year: int, school) -> Download:
    """An open year's sheet of ``school`` as a download serves it (see :func:`summary_download`)."""
    from . import sheets

    if render_jobs.inline():
        content = school_sheet_pdf(year, school)
        return Download(content, hashlib.sha256(content).hexdigest(), "", 0, timezone.now(), "rendered")
    context = sheets.school_sheet_context(year, school)
    status = render_jobs.status(render_jobs.Kind.SHEET, year, sheets.fingerprint(context), school=school)
    return _from_status(status, sheets.fingerprint(context), 0)


def render_for_job(job) -> SummaryPdf | None:
    """The worker's render of a job: the document from the data as it is now (its fingerprint
    may be newer than the job's), or None if its year was locked since (the archived
    documents are served then)."""
    from . import sheets

    county_id = render_jobs.county_of_key(job.key) if job.kind == render_jobs.Kind.SUMMARY else None
    if job.kind == render_jobs.Kind.SHEET:
        county_id = job.school.county_id
    year_obj = ReportingYear.objects.get(pk=job.year_id)
    if locks.is_locked(year_obj, county_id):
        return None  # locked since: the documents issued at the lock are served
    if county_id is not None and job.kind == render_jobs.Kind.SUMMARY:
        county = figures.county_of(county_id)
        return render_summary(job.year_id, summary=figures.compute_cached(job.year_id, county))
    if job.kind == render_jobs.Kind.SUMMARY:
        return render_summary(job.year_id, summary=figures.compute_cached(job.year_id))
    context = sheets.school_sheet_context(job.year_id, job.school)
    generated_at = timezone.now()
    content = school_sheet_pdf(job.year_id, job.school, context=context)
    return _result(job.year_id, content, sheets.fingerprint(context), 0, generated_at, "rendered")
