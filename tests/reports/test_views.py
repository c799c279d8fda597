import pytest
from django.urls import reverse

from reports.models import NarrativeBlock
from tests.reports.factories import NarrativeBlockFactory
from workstudy import services
from workstudy.models import Region, ReportingYear


@pytest.fixture
def summary_url(county):
    return reverse("reports:summary", kwargs={"year": 2024})


def test_staff_edits_narrative_and_sees_it_in_the_html(director_client, county, summary_url):
    url = reverse("reports:narrative_edit", kwargs={"year": 2024, "section": "bases"})
    assert director_client.get(url).status_code == 200
    response = director_client.post(url, {"heading": "狠抓基地建设", "text": "茶园是我们的骄傲。\n第二段。", "approved": "on"})
    assert response.status_code == 302
    page = director_client.get(summary_url).content.decode()
    assert "<p>茶园是我们的骄傲。</p>" in page and "<p>第二段。</p>" in page
    assert "㈡狠抓基地建设。" in page


def test_narrative_is_escaped_text_never_html(director_client, county, summary_url):
    hostile = '<img src="file:///etc/passwd"><a href="http://127.0.0.1:9/">x</a><script>alert(1)</script>'
    url = reverse("reports:narrative_edit", kwargs={"year": 2024, "section": "intro"})
    block = NarrativeBlock.objects.get(year_id=2024, section="intro")
    director_client.post(url, {"heading": "", "text": hostile, "row_version": block.version})
    page = director_client.get(summary_url).content.decode()
    assert "<img src=\"file:///etc/passwd\">" not in page and "<script>alert" not in page
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in page


def test_clerk_edit_resets_approval_and_cannot_approve(clerk_client, county):
    block = NarrativeBlockFactory(year=county.y24, section="intro", county=Region.default_county(), text="本县的叙述。")
    block.approved = True
    block.save()
    url = reverse("reports:narrative_edit", kwargs={"year": 2024, "section": "intro"})
    clerk_client.post(url, {"heading": "", "text": "经办人改写。", "approved": "on", "row_version": block.version})
    block.refresh_from_db()
    assert block.text == "经办人改写。" and block.approved is False


def test_stale_narrative_edit_is_refused(director_client, county):
    block = NarrativeBlockFactory(year=county.y24, section="intro", county=Region.default_county(), text="本县的叙述。")
    stale = block.version
    block.text = "别人先改了。"
    block.save()
    url = reverse("reports:narrative_edit", kwargs={"year": 2024, "section": "intro"})
    response = director_client.post(url, {"heading": "", "text": "我的修改", "row_version": stale})
    assert response.status_code == 200
    assert "已被他人修改" in response.content.decode()
    block.refresh_from_db()
    assert block.text == "别人先改了。"


def test_locked_year_narrative_is_read_only(director, director_client, county):
    NarrativeBlockFactory(year=county.y23, section="intro", text="2023 叙述")
    ReportingYear.objects.filter(pk=2023).update(status=ReportingYear.Status.LOCKED)
    url = reverse("reports:narrative_edit", kwargs={"year": 2023, "section": "intro"})
    page = director_client.get(url)
    assert page.status_code == 200 and "锁定" in page.content.decode() and "<form method=\"post\">" not in page.content.decode()
    response = director_client.post(url, {"heading": "", "text": "改锁定年度"})
    assert response.status_code == 403
    assert NarrativeBlock.objects.get(year_id=2023, section="intro").text == "2023 叙述"
    settings_post = director_client.post(reverse("reports:settings", kwargs={"year": 2023}), {"period_start": 2021})
    assert settings_post.status_code == 403


def test_auditor_reads_but_cannot_edit(auditor_client, county, summary_url):
    assert auditor_client.get(summary_url).status_code == 200
    url = reverse("reports:narrative_edit", kwargs={"year": 2024, "section": "intro"})
    assert auditor_client.post(url, {"text": "审计改"}).status_code == 403


def test_unknown_section_and_year_are_404(director_client, county):
    assert director_client.get(reverse("reports:narrative_edit", kwargs={"year": 2024, "section": "nope"})).status_code == 404
    assert director_client.get(reverse("reports:summary", kwargs={"year": 1999})).status_code == 404


def test_summary_page_links_figures_and_lists_quality(director_client, county, summary_url):
    page = director_client.get(summary_url).content.decode()
    assert 'href="/labor-bases/plots/?year=2024&amp;land_type=tea"' in page
    assert '<a class="fig" href="/insurance/claims/?' in page
    assert "附录一" in page and "数据质量说明" in page


def test_principal_sees_own_sheet_list_and_downloads_own_sheet(principal_a_client, principal_a, county):
    index = principal_a_client.get(reverse("reports:index")).content.decode()
    own = reverse("reports:school_sheet", kwargs={"year": 2024, "school_id": principal_a.school_id})
    assert own in index
    response = principal_a_client.get(own)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert principal_a_client.get(reverse("reports:summary", kwargs={"year": 2024})).status_code == 403


def test_year_table_has_summary_link(director_client, county):
    page = director_client.get(reverse("years")).content.decode()
    assert reverse("reports:summary", kwargs={"year": 2024}) in page


def test_lock_issues_documents_and_reopen_supersedes(director, county):
    from reports.models import ArchivedDocument
    from workstudy.models import Submission

    Submission.objects.update(status="approved")
    services.year_lock(user=director, year=county.y24)
    docs = ArchivedDocument.objects.filter(year_id=2024, superseded_at__isnull=True)
    summary = docs.get(kind="summary")
    assert len(summary.sha256) == 64 and summary.size > 10000
    assert docs.filter(kind="sheet").count() == Submission.objects.filter(year_id=2024).count()
    issued = docs.count()
    services.year_reopen(user=director, year=ReportingYear.objects.get(pk=2024), reason="更正数据")
    kept = ArchivedDocument.objects.filter(year_id=2024)
    assert kept.count() == issued and kept.filter(pk=summary.pk).exists() and all(d.superseded_at for d in kept)


def test_charts_are_inline_svg_without_scripts(director_client, county, summary_url):
    import re

    page = director_client.get(summary_url).content.decode()
    assert page.count('class="pygal-chart"') == 3
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page, re.S)
    assert all("src=" in attrs and not body.strip() for attrs, body in scripts), scripts
