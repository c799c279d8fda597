"""The demo county's 2024 summary: every blank of the summary filled, the PDF carries the figures."""

import io

from django.core.management import call_command
from pypdf import PdfReader

from reports import demo, figures, pdf
from reports.models import NarrativeBlock, PolicyDocument, SummarySettings


def test_demo_2024_summary_pdf_contains_the_demo_figures(db):
    call_command("load_demo", verbosity=0)
    counts = (NarrativeBlock.objects.count(), PolicyDocument.objects.count(), SummarySettings.objects.count())
    demo.load(schools={}, users={})
    assert counts == (NarrativeBlock.objects.count(), PolicyDocument.objects.count(), SummarySettings.objects.count())
    assert counts == (28, 3, 4)

    summary = figures.compute(2024)
    assert summary.gaps == [], summary.gaps
    assert summary.period_years == [2021, 2022, 2023, 2024]
    filled = {f.blank for f in summary.figures.values() if f.blank and not f.missing}
    assert filled == {f"P{i}" for i in range(1, 15)}

    result = pdf.render_summary(2024, summary=summary)
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
