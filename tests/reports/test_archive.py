"""Drafts say so; locking issues the summary and every school's sheet once,
dated with the lock; reopening keeps them, superseded; /verify/ answers who holds what."""

import hashlib
import io
import re

import pypdf
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape

from reports import archive
from reports.models import ArchivedDocument, FrozenSummary
from workstudy import services
from workstudy.models import ReportingYear, School, Submission, SubmissionStatus

DRAFT = "征求意见稿"


def _pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages]


def _dates(pages) -> set[str]:
    return set(re.findall(r"20\d\d年\d{1,2}月\d{1,2}日", "".join(pages).replace(" ", "").replace("\n", "")))


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", verbosity=0)
    return tmp_path


def test_demo_locked_year_documents_bear_the_lock_date_and_no_draft_mark(demo, auditor_client):
    year = ReportingYear.objects.get(pk=2023)
    # issued when the demo locked the year, not at the first download
    assert ArchivedDocument.objects.filter(year=year, kind="summary", superseded_at=None).count() == 1
    assert ArchivedDocument.objects.filter(year=year, kind="sheet", superseded_at=None).count() == 27
    summary = auditor_client.get(reverse("reports:summary_pdf", args=[2023]))
    pages = _pages(summary.content)
    assert not any(DRAFT in page for page in pages)
    assert _dates(pages) == {"2024年1月22日"}  # cover and 落款: the lock date, never the download date
    school = School.objects.get(code="GX001")
    sheet = auditor_client.get(reverse("reports:school_sheet", args=[2023, school.pk]))
    sheet_pages = _pages(sheet.content)
    assert not any(DRAFT in page for page in sheet_pages)
    assert "报出日期2024年1月22日" in "".join(sheet_pages).replace(" ", "").replace("\n", "")
    for label in ("填表人", "审核人", "学校盖章", "/verify/"):
        assert label in "".join(sheet_pages)


def test_open_year_documents_are_drafts_on_every_page(demo, auditor_client):
    pages = _pages(auditor_client.get(reverse("reports:summary_pdf", args=[2024])).content)
    assert len(pages) > 5 and all(DRAFT in page for page in pages)
    school = School.objects.get(code="GX001")
    sheet = _pages(auditor_client.get(reverse("reports:school_sheet", args=[2024, school.pk])).content)
    assert all(DRAFT in page for page in sheet)
    page = auditor_client.get(reverse("reports:summary", args=[2024])).content.decode()
    assert DRAFT in page


def test_locked_documents_are_byte_identical_whatever_is_edited_later(demo, auditor_client):
    school = School.objects.get(code="GX001")
    sheet_url = reverse("reports:school_sheet", args=[2023, school.pk])
    summary_url = reverse("reports:summary_pdf", args=[2023])
    first_sheet, first_summary = auditor_client.get(sheet_url).content, auditor_client.get(summary_url).content
    School.objects.filter(pk=school.pk).update(name="改了名的学校")
    from labor_bases.models import BaseYearArea

    BaseYearArea.objects.filter(base__school=school, year_id=2024).update(declared_total_mu=15)
    assert auditor_client.get(sheet_url).content == first_sheet
    assert auditor_client.get(summary_url).content == first_summary
    doc = archive.current(ReportingYear.objects.get(pk=2023), "sheet", school)
    assert hashlib.sha256(first_sheet).hexdigest() == doc.sha256


def test_lock_issues_at_the_lock_and_reopen_keeps_the_old_hashes(county, director, director_client):
    Submission.objects.update(status="approved")
    services.year_lock(user=director, year=county.y24)
    year = ReportingYear.objects.get(pk=2024)
    first = archive.current(year, "summary")
    assert first is not None and first.locked_at == year.locked_at
    services.year_reopen(user=director, year=year, reason="更正数据")
    first.refresh_from_db()
    assert first.superseded_at is not None
    page = director_client.get(reverse("reports:summary", args=[2024])).content.decode()
    assert first.sha256 in page and "已作废" in page
    Submission.objects.update(status="approved")
    services.year_lock(user=director, year=ReportingYear.objects.get(pk=2024))
    second = archive.current(ReportingYear.objects.get(pk=2024), "summary")
    assert second.pk != first.pk and ArchivedDocument.objects.filter(pk=first.pk).exists()


def test_a_lock_that_cannot_issue_its_documents_does_not_happen(county, director, monkeypatch):
    Submission.objects.update(status="approved")

    def broken(year_obj, summary=None, county=None):
        raise OSError("disk full")

    monkeypatch.setattr(archive, "issue", broken)
    with pytest.raises(OSError):
        services.year_lock(user=director, year=county.y24)
    year = ReportingYear.objects.get(pk=2024)
    assert not year.is_locked and year.locked_at is None
    assert not FrozenSummary.objects.exists() and not ArchivedDocument.objects.exists()


# -- /verify/ ------------------------------------------------------------------------------------


def test_verify_by_file_and_by_hash_without_login(demo, client, auditor_client):
    school = School.objects.get(code="GX002")
    content = auditor_client.get(reverse("reports:school_sheet", args=[2023, school.pk])).content
    url = reverse("verify")
    assert client.get(url).status_code == 200  # no login
    found = client.post(url, {"file": io.BytesIO(content)}, format="multipart")
    text = found.content.decode()
    assert "是平台存档的文件" in text and "2023" in text and school.name in text and "现行有效" in text
    sha = hashlib.sha256(content).hexdigest()
    spaced = " ".join([sha[:32].upper(), sha[32:]])
    assert "是平台存档的文件" in client.post(url, {"sha256": spaced}).content.decode()
    # reveals nothing else: no figures of the document, no file
    assert "36,000" not in text and found["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("data, message", [
    ({"sha256": "0" * 64}, "平台存档中没有这个文件"),
    ({"sha256": "xyz"}, "应为 64 位十六进制字符"),
    ({"sha256": "a" * 63}, "现在是 63 位"),
    ({}, "请选择 PDF 文件，或输入它的 SHA-256 校验值"),
])
def test_verify_answers_bad_or_unknown_input_clearly(db, client, data, message):
    response = client.post(reverse("verify"), data)
    assert response.status_code == 200 and message in response.content.decode()


def test_verify_refuses_a_file_that_is_not_a_pdf(db, client):
    upload = io.BytesIO(b"PK\x03\x04 not a pdf")
    upload.name = "x.xlsx"
    response = client.post(reverse("verify"), {"file": upload})
    assert "这不是 PDF 文件" in response.content.decode()


def test_verify_says_superseded(county, director, client):
    Submission.objects.update(status="approved")
    services.year_lock(user=director, year=county.y24)
    doc = archive.current(ReportingYear.objects.get(pk=2024), "summary")
    services.year_reopen(user=director, year=ReportingYear.objects.get(pk=2024), reason="更正")
    text = client.post(reverse("verify"), {"sha256": doc.sha256}).content.decode()
    assert "已作废" in text and "重新开放" in text


def test_auditor_reaches_every_schools_sheet_from_the_summary(demo, auditor_client):
    page = auditor_client.get(reverse("reports:summary", args=[2023])).content.decode()
    for school in School.objects.filter(code__in=["GX001", "GX027"]):
        assert reverse("reports:school_sheet", args=[2023, school.pk]) in page
    doc = archive.current(ReportingYear.objects.get(pk=2023), "sheet", School.objects.get(code="GX001"))
    assert doc.sha256 in page
    assert auditor_client.get(reverse("reports:archived_document", args=[doc.pk])).content == archive.read(doc)


def _sheet_table(page: str) -> list[list[str]]:
    table = page.split('id="school-sheets"', 1)[1].split("</tbody>", 1)[0].split("<tbody>", 1)[1]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]


@pytest.mark.parametrize("year", [2023, 2024])
def test_the_sheet_table_lists_each_school_of_the_county_once_with_its_own_link_status_and_issued_hash(
        demo, auditor_client, year):
    from workstudy.participation import schools_of_year

    School.objects.filter(code="GX002").update(name="<b>第二</b>小学")  # printed as text, not as markup
    page = auditor_client.get(reverse("reports:summary", args=[year])).content.decode()
    rows = _sheet_table(page)
    county = School.objects.get(code="GX001").county
    schools = list(schools_of_year(year).filter(county=county).order_by("code"))
    assert [row[0] for row in rows] == [s.code for s in schools]  # this county's schools only, by code
    statuses = dict(Submission.objects.filter(year_id=year).values_list("school_id", "status"))
    labels = dict(SubmissionStatus.choices)
    locked = ReportingYear.objects.get(pk=year).is_locked
    for school, (_code, name, status, link, sha) in zip(schools, rows, strict=True):
        assert name == escape(school.name)
        assert status == str(labels.get(statuses.get(school.pk), "未填报"))
        href = re.fullmatch(r'<a href="([^"]+)">(.*)</a>', link)
        assert href[1] == reverse("reports:school_sheet", args=[year, school.pk])
        assert href[2] == ("下载存档简表" if locked else "下载简表（征求意见稿）")
        doc = archive.current(ReportingYear.objects.get(pk=year), "sheet", school) if locked else None
        assert sha == (doc.sha256 if doc else "—")
    assert "&lt;b&gt;第二&lt;/b&gt;小学" in page and "<b>第二</b>" not in page


def test_a_large_year_keeps_sheet_data_at_the_lock_and_renders_it_once(county, director, school_a, auditor_client,
                                                                      monkeypatch):
    from reports.models import FrozenSheet

    monkeypatch.setattr(archive, "SHEETS_AT_LOCK", 0)
    Submission.objects.update(status="approved")
    services.year_lock(user=director, year=county.y24)
    year = ReportingYear.objects.get(pk=2024)
    assert FrozenSheet.objects.filter(year=year).count() == Submission.objects.filter(year=year).count()
    assert not ArchivedDocument.objects.filter(year=year, kind="sheet").exists()
    School.objects.filter(pk=school_a.pk).update(name="锁定后改的名字")  # after the lock: not on the sheet
    url = reverse("reports:school_sheet", args=[2024, school_a.pk])
    first = auditor_client.get(url).content
    assert auditor_client.get(url).content == first
    text = "".join(_pages(first))
    assert "锁定后改的名字" not in text and school_a.name in text.replace("\n", "")
    doc = archive.current(year, "sheet", school_a)
    assert doc.sha256 == hashlib.sha256(first).hexdigest()
    locked = archive.lock_date(year)  # the local date of the lock
    assert _dates(_pages(first)) == {f"{locked.year}年{locked.month}月{locked.day}日"}


def test_the_auditors_path_from_the_summary_page(demo, auditor_client):
    """The summary page lists every school's sheet with its status and SHA-256, each link gives
    that very file, and it says in plain words how to check a file (no header names)."""
    page = auditor_client.get(reverse("reports:summary", args=[2023])).content.decode()
    issued = ArchivedDocument.objects.filter(year_id=2023, kind="sheet", superseded_at=None).select_related("school")
    assert issued.count() == School.objects.filter(submissions__year_id=2023).count()
    for document in issued:
        url = reverse("reports:school_sheet", args=[2023, document.school_id])
        assert url in page and document.school.name in page and document.sha256 in page
    document = issued.order_by("school__code").first()
    content = auditor_client.get(reverse("reports:school_sheet", args=[2023, document.school_id])).content
    assert hashlib.sha256(content).hexdigest() == document.sha256
    assert "如何核对手中的文件是原件" in page and reverse("verify") in page and "certutil" in page
    assert "X-Content-SHA256" not in page and "响应头" not in page
