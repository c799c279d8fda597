"""The PDF itself, read back: text, fonts, fetcher, stored copies. PDF renders are slow; keep few."""

import hashlib
import io
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from reports import pdf
from reports.models import ArchivedDocument
from workstudy.models import ReportingYear, Submission


def _text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _fonts(content: bytes) -> dict[str, bool]:
    """Base font name -> whether its font program is embedded."""
    found = {}
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            found[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


def test_summary_pdf_text_fonts_headers(auditor_client, county):
    response = auditor_client.get(reverse("reports:summary_pdf", kwargs={"year": 2024}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = response.content
    assert response["X-Content-SHA256"] == hashlib.sha256(content).hexdigest()
    text = _text(content)
    compact = text.replace(" ", "").replace("\n", "")
    for expected in ("2024年度", "学校勤工俭学工作总结", "目录", "一、基本情况", "二、具体做法", "三、存在的不足及今后努力方向",
                     "2023年以来", "年均达6.58万元", "补贴教育经费2.31万元", "理赔1人次", "理赔金额达1.50万元",
                     "2019年6月", "赣教勤字〔2008〕3号", "十余万元", "第一段叙述。", "附录二", "核验信息", "数据指纹"):
        assert expected in compact, expected
    pages = len(PdfReader(io.BytesIO(content)).pages)
    assert f"第2页共{pages}页" in compact and f"第{pages}页共{pages}页" in compact and "XX" not in text
    fonts = _fonts(content)
    assert fonts and all(fonts.values()), fonts
    assert any("Report-Serif" in name for name in fonts), fonts
    assert any("Report-Sans" in name for name in fonts), fonts
    # Cross-check with poppler: every font embedded and subset.
    tmp = Path(tempfile.mkdtemp()) / "s.pdf"
    tmp.write_bytes(content)
    listing = subprocess.run(["pdffonts", str(tmp)], capture_output=True, text=True, check=True).stdout
    rows = listing.splitlines()[2:]
    assert rows and all(" yes yes " in row for row in rows), listing
    # A second download of unchanged data is the cached copy: same bytes.
    again = auditor_client.get(reverse("reports:summary_pdf", kwargs={"year": 2024}))
    assert again["X-Summary-Source"] == "cache" and again.content == content
    sidecar = auditor_client.get(reverse("reports:summary_sha256", kwargs={"year": 2024})).content.decode()
    assert sidecar == f"{hashlib.sha256(content).hexdigest()}  workstudy-summary-2024.pdf\n"


def test_fetcher_serves_static_only_and_refuses_everything_else(monkeypatch):
    import urllib.request

    def explode(*args, **kwargs):
        raise AssertionError("the PDF fetcher must not open any outside URL")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", explode)
    fetcher = pdf.static_only_fetcher()
    outside = ["file:///etc/passwd", "http://127.0.0.1:9/", "https://example.com/x.png",
               f"{pdf.PDF_ORIGIN}/static/../../etc/passwd", f"{pdf.PDF_ORIGIN}/media/secret.pdf",
               f"{pdf.PDF_ORIGIN}/static/reports/css/summary-pdf.css?x=1", "data:text/plain,hello"]
    for url in outside:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    css = fetcher.fetch(f"{pdf.PDF_ORIGIN}/static/reports/css/summary-pdf.css")
    assert b"@font-face" in css.read()
    # Through WeasyPrint: a document pointing outside renders, and nothing outside is read.
    fetcher = pdf.static_only_fetcher()
    html = ('<link rel="stylesheet" href="http://127.0.0.1:9/evil.css">'
            '<link rel="stylesheet" href="/static/reports/css/summary-pdf.css">'
            '<p>ok <img src="file:///etc/passwd"> <img src="http://127.0.0.1:9/x.png"></p>')
    content = pdf.html_to_pdf(html, fetcher=fetcher)
    assert content.startswith(b"%PDF")
    assert set(fetcher.refused) == {"http://127.0.0.1:9/evil.css", "file:///etc/passwd", "http://127.0.0.1:9/x.png"}
    assert any(url.endswith("summary-pdf.css") for url in fetcher.served)
    assert b"root:" not in content


def test_locked_year_pdf_is_stored_once_and_byte_identical(director_client, auditor_client, county, tmp_path,
                                                          django_capture_on_commit_callbacks):
    """Staff edit a paragraph, lock the year; an auditor downloads twice."""
    edit = reverse("reports:narrative_edit", kwargs={"year": 2024, "section": "directions"})
    director_client.post(edit, {"heading": "", "text": "坚持服务育人第一，规范勤工俭学行为。", "approved": "on"})
    Submission.objects.update(status="approved")
    with django_capture_on_commit_callbacks(execute=True):
        response = director_client.post(reverse("year_action", kwargs={"year": 2024, "action": "lock"}))
    assert response.status_code == 302 and ReportingYear.objects.get(pk=2024).is_locked
    stored = ArchivedDocument.objects.get(year_id=2024, kind="summary")
    url = reverse("reports:summary_pdf", kwargs={"year": 2024})
    first, second = auditor_client.get(url), auditor_client.get(url)
    assert first.content == second.content
    assert first["X-Summary-Source"] == "stored"
    assert "坚持服务育人第一，规范勤工俭学行为。" in _text(first.content).replace(" ", "").replace("\n", "")
    assert first["X-Content-SHA256"] == stored.sha256 == hashlib.sha256(first.content).hexdigest()
    page = auditor_client.get(reverse("reports:summary", kwargs={"year": 2024})).content.decode()
    assert stored.sha256 in page
    # The command line gives the same bytes and writes the sidecar.
    out = tmp_path / "summary.pdf"
    call_command("build_summary", year=2024, format="pdf", output=str(out))
    assert out.read_bytes() == first.content
    assert (tmp_path / "summary.pdf.sha256").read_text().startswith(stored.sha256)
    html = tmp_path / "summary.html"
    call_command("build_summary", year=2024, format="html", output=str(html))
    assert "年均达" in html.read_text()


def test_the_heap_is_frozen_once_per_process_after_a_collection(monkeypatch):
    import gc

    calls = []
    monkeypatch.setattr(pdf, "_heap", {"frozen": False})
    monkeypatch.setattr(gc, "collect", lambda *args: calls.append("collect") or 0)
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    first = pdf.html_to_pdf("<p>勤工俭学</p>")
    second = pdf.html_to_pdf("<p>勤工俭学</p>")
    assert calls == ["collect", "freeze"]  # garbage first, then frozen, and only at the first render
    assert _text(first) == _text(second) == "勤工俭学"
