"""Archived documents, second pair of eyes: who may fetch which archived document, what /verify/
shows and refuses, dates on generated (non-demo) data, and what a failed lock leaves behind."""

import datetime
import hashlib
import io
import re
from pathlib import Path

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from reports import archive, views_verify
from reports.models import ArchivedDocument
from workstudy import services
from workstudy.models import ReportingYear, Submission

DRAFT = "征求意见稿"


def _text(content: bytes) -> str:
    pages = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages]
    return re.sub(r"\s+", "", "".join(pages))


def _cn(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


LOCK_DAY = datetime.date(2025, 1, 20)


@pytest.fixture
def locked(county, director, settings, tmp_path, monkeypatch):
    """The test county with 2024 locked by the director on 2025-01-20 (local time), through the
    service as on the 年度 page; the clock runs normally again afterwards."""
    settings.MEDIA_ROOT = tmp_path
    Submission.objects.update(status="approved")
    at = datetime.datetime(2025, 1, 20, 10, 30, tzinfo=timezone.get_current_timezone())
    with monkeypatch.context() as patched:
        patched.setattr(timezone, "now", lambda: at)
        services.year_lock(user=director, year=county.y24)
    return ReportingYear.objects.get(pk=2024)


def test_lock_dates_the_documents_with_the_lock_not_the_download(locked, auditor_client, school_a):
    """Locked on 2025-01-20, downloaded today: the documents carry the lock date only."""
    issued = "2025年1月20日"
    assert timezone.localtime(locked.locked_at).date() == LOCK_DAY
    sheet = auditor_client.get(reverse("reports:school_sheet", args=[2024, school_a.pk])).content
    summary = auditor_client.get(reverse("reports:summary_pdf", args=[2024])).content
    assert f"报出日期{issued}" in _text(sheet)
    assert set(re.findall(r"20\d\d年\d{1,2}月\d{1,2}日", _text(summary))) == {issued}  # cover and 落款
    assert _cn(timezone.localdate()) not in _text(sheet)
    assert DRAFT not in _text(sheet) and DRAFT not in _text(summary)
    # Same bytes as stored at the lock, whoever downloads them and however often.
    doc = archive.current(locked, "sheet", school_a)
    assert hashlib.sha256(sheet).hexdigest() == doc.sha256 and doc.locked_at == locked.locked_at


def test_open_year_sheet_is_a_draft_dated_today(county, auditor_client, school_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    content = auditor_client.get(reverse("reports:school_sheet", args=[2024, school_a.pk])).content
    text = _text(content)
    assert DRAFT in text and f"报出日期{_cn(timezone.localdate())}" in text
    for label in ("填表人", "审核人", "学校盖章", "/verify/"):
        assert label in text
    assert not ArchivedDocument.objects.exists()  # a draft is never archived


def test_year_less_edit_after_lock_changes_no_archived_byte(locked, auditor_client, school_a):
    from labor_bases.models import LaborBase

    url = reverse("reports:school_sheet", args=[2024, school_a.pk])
    before = auditor_client.get(url).content
    LaborBase.objects.filter(school=school_a).update(name="改名后的基地")
    school_a.township = "另一个乡镇"
    school_a.save()
    assert auditor_client.get(url).content == before


def test_principal_gets_own_archived_sheet_only(locked, principal_a_client, principal_b_client, school_a):
    own = archive.current(locked, "sheet", school_a)
    summary = archive.current(locked, "summary")
    url = reverse("reports:archived_document", args=[own.pk])
    assert principal_a_client.get(url).content == archive.read(own)
    assert principal_b_client.get(url).status_code == 404
    # the summary is the bureau's document: not through a principal's archive link
    assert principal_a_client.get(reverse("reports:archived_document", args=[summary.pk])).status_code == 404


def test_verify_hit_reveals_no_file_and_no_figure(locked, client, school_a):
    doc = archive.current(locked, "sheet", school_a)
    page = client.post(reverse("verify"), {"sha256": doc.sha256}).content.decode()
    assert "是平台存档的文件" in page and school_a.name in page
    assert doc.pdf.name not in page and "/media/" not in page
    assert reverse("reports:archived_document", args=[doc.pk]) not in page
    assert "6,000" not in page and "45,600" not in page  # no figure of the sheet


@pytest.mark.parametrize("size", [4096, 200 * 1024])  # stopped while reading; refused by its declared length
def test_verify_refuses_a_too_large_file(db, client, monkeypatch, size):
    monkeypatch.setattr(views_verify, "MAX_BYTES", 1024)
    seen = []
    original = views_verify.VerifyForm.clean_file

    def spy(form):
        seen.append(form.cleaned_data.get("file"))
        return original(form)

    monkeypatch.setattr(views_verify.VerifyForm, "clean_file", spy)
    upload = io.BytesIO(b"%PDF-1.7\n" + b"0" * size)
    upload.name = "big.pdf"
    page = client.post(reverse("verify"), {"file": upload}).content.decode()
    assert "文件超过 20 MB" in page and "平台存档中没有这个文件" not in page
    assert not any(seen)  # refused before the form ever received the file


def test_verify_still_checks_csrf(db):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    assert browser.post(reverse("verify"), {"sha256": "0" * 64}).status_code == 403
    token = browser.get(reverse("verify")).cookies["csrftoken"].value
    page = browser.post(reverse("verify"), {"sha256": "0" * 64, "csrfmiddlewaretoken": token})
    assert page.status_code == 200 and "平台存档中没有这个文件" in page.content.decode()


def test_verify_by_uploaded_file_of_a_modified_copy_is_a_miss(locked, client, auditor_client, school_a):
    content = auditor_client.get(reverse("reports:school_sheet", args=[2024, school_a.pk])).content
    upload = io.BytesIO(content + b"\n% appended\n")
    upload.name = "sheet.pdf"
    assert "平台存档中没有这个文件" in client.post(reverse("verify"), {"file": upload}).content.decode()


def test_a_lock_failing_part_way_leaves_no_rows(county, director, settings, tmp_path, monkeypatch):
    """The summary is stored, then a sheet fails: the year stays open, no archive row or file remains."""
    settings.MEDIA_ROOT = tmp_path
    Submission.objects.update(status="approved")
    from reports import pdf

    def broken(*args, **kwargs):
        raise OSError("font missing")

    monkeypatch.setattr(pdf, "school_sheet_pdf", broken)
    with pytest.raises(OSError):
        services.year_lock(user=director, year=county.y24)
    assert not ReportingYear.objects.get(pk=2024).is_locked
    assert not ArchivedDocument.objects.exists()
    assert not list(tmp_path.rglob("*.pdf"))  # nor the summary's file written before the failure


def test_reopen_keeps_files_and_relock_issues_new_ones(locked, director, director_client):
    first = archive.current(locked, "summary")
    services.year_reopen(user=director, year=locked, reason="更正数据")
    assert Path(first.pdf.path).exists()  # the superseded file stays, verifiable
    Submission.objects.update(status="approved")
    services.year_lock(user=director, year=ReportingYear.objects.get(pk=2024))
    page = director_client.get(reverse("reports:summary", args=[2024])).content.decode()
    second = archive.current(ReportingYear.objects.get(pk=2024), "summary")
    assert first.sha256 in page and second.sha256 in page
    assert ArchivedDocument.objects.filter(year_id=2024, kind="summary").count() == 2


def test_locked_year_has_no_sheet_for_a_school_outside_it(locked, auditor_client, school_b):
    """School B sent no 2024 return: no sheet was issued at the lock, and none is minted at a download."""
    assert not Submission.objects.filter(school=school_b, year_id=2024).exists()
    response = auditor_client.get(reverse("reports:school_sheet", args=[2024, school_b.pk]))
    assert response.status_code == 404
    assert not ArchivedDocument.objects.filter(school=school_b).exists()


def test_verify_takes_a_line_copied_from_the_sha256_file(locked, client, auditor_client):
    """The help text sends people to the .sha256 sidecar: its whole line, or certutil's and
    PowerShell's output, are understood; two different hashes are not guessed between."""
    sidecar = auditor_client.get(reverse("reports:summary_sha256", args=[2024])).content.decode()
    sha = sidecar.split()[0]
    url = reverse("verify")
    for pasted in (sidecar, f"SHA256 hash of C:\\下载\\summary.pdf:\n{sha}\nCertUtil: -hashfile 命令成功完成。",
                   f"Algorithm Hash Path\nSHA256 {sha.upper()} C:\\summary.pdf"):
        assert "是平台存档的文件" in client.post(url, {"sha256": pasted}).content.decode(), pasted
    two = client.post(url, {"sha256": f"{sha} {'0' * 64}"}).content.decode()
    assert "应为 64 位十六进制字符" in two and "是平台存档的文件" not in two
