"""The demo county's 2024 summary: every blank of the summary filled, the PDF carries the figures.
The demo has three counties; 贵溪市's summary is its own, the deployment's counts the others too."""

import io

from django.core.management import call_command
from pypdf import PdfReader

from reports import demo, figures, pdf
from reports.models import NarrativeBlock, PolicyDocument, SummarySettings
from workstudy.demo import OTHER_COUNTIES, demo_county
from workstudy.models import School, Submission, SubmissionStatus


def test_demo_2024_summary_pdf_contains_the_demo_figures(db):
    call_command("load_demo", verbosity=0)
    counts = (NarrativeBlock.objects.count(), PolicyDocument.objects.count(), SummarySettings.objects.count())
    demo.load(schools={}, users={})
    assert counts == (NarrativeBlock.objects.count(), PolicyDocument.objects.count(), SummarySettings.objects.count())
    assert counts == (28, 3, 4)

    guixi = demo_county()
    summary = figures.compute(2024, guixi)
    assert summary.gaps == [], summary.gaps
    assert summary.period_years == [2021, 2022, 2023, 2024]
    filled = {f.blank for f in summary.figures.values() if f.blank and not f.missing}
    assert filled == {f"P{i}" for i in range(1, 15)}

    result = pdf.render_summary(2024, summary=summary, county=guixi)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(result.content)).pages)
    compact = text.replace(" ", "").replace("\n", "")
    f = summary.figures
    for sentence in (
        f"{f['period_start'].text}年以来",
        f"勤工俭学总收益年均达{f['avg_total_income'].text}万元",
        f"补贴教育经费{f['subsidy'].text}万元",
        f"办理风险理赔{f['claim_person_times'].text}人次",
        f"理赔金额达{f['claim_paid'].text}万元",
        f"财产损失理赔额达{f['property_claim_paid'].text}万元",
        f"于{f['centre_founded'].text}年创办了",
        f"{f['exam_first_year'].text}年开始",
        f"全市学校共有劳动基地{f['land_total'].text}亩",
        "2005年6月", "赣教勤字〔2008〕3号", "《关于推进贵溪市学校后勤社会化工作的意见》", "樟坪中心学校",
    ):
        assert sentence in compact, sentence


def test_the_demo_has_three_counties_and_the_deployment_counts_them_all(db):
    """贵溪市's unapproved 2024 returns are its own; the whole deployment's are every county's,
    so 余江区's and 月湖区's draft, submitted and returned ones too."""
    call_command("load_demo", verbosity=0)
    guixi = demo_county()
    others = {row[0] for rows in OTHER_COUNTIES.values() for row in rows}
    assert set(School.objects.exclude(county=guixi).values_list("code", flat=True)) == others
    pending_others = Submission.objects.filter(year_id=2024, school__code__in=others).exclude(
        status=SubmissionStatus.APPROVED).count()
    assert pending_others == 5
    own, whole = figures.compute(2024, guixi), figures.compute(2024)
    assert whole.data["pending_total"] == own.data["pending_total"] + pending_others
    codes = {row["code"] for row in whole.data["pending_submissions"]}
    assert {"YJ002", "YJ003", "YJ004", "YH002", "YH003"} <= codes
    assert not {row["code"] for row in own.data["pending_submissions"]} & others
