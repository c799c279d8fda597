from tests.matrix import (
    ANON,
    AUDITOR,
    BUREAU_READ,
    EVERYONE,
    LOGIN,
    PRINCIPAL_A,
    PRINCIPAL_B,
    SCHOOL_B_OBJECT,
    STAFF,
    STAFF_ONLY,
    Case,
)
from tests.reports.factories import NarrativeBlockFactory, PolicyDocumentFactory, SummarySettingsFactory

STAFF_POST = {ANON: LOGIN, STAFF: 302, PRINCIPAL_A: 403, PRINCIPAL_B: 403, AUDITOR: 403}


def build(w):
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from reports.models import ArchivedDocument

    w.rep_sheet = ArchivedDocument(year=w.year, kind="sheet", school=w.school_b, sha256="a" * 64, size=9,
                                   locked_at=timezone.now(), generated_at=timezone.now(), data_version=1)
    w.rep_sheet.pdf.save("matrix-sheet.pdf", ContentFile(b"%PDF-1.7\n"), save=False)
    w.rep_sheet.save()
    w.rep_narrative = NarrativeBlockFactory(year=w.year)
    w.rep_document = PolicyDocumentFactory()
    w.rep_settings = SummarySettingsFactory(year=w.year, period_start=2024)


CASES = [
    Case("reports:index", EVERYONE),
    Case("reports:documents", BUREAU_READ),
    Case("reports:document_new", STAFF_ONLY),
    Case("reports:document_new", STAFF_POST, method="post",
         data=lambda w: {"title": "新文件", "issuer": "贵溪市教育局", "doc_no": "", "date": "2024-01-02",
                         "kind": "notice", "topic": "other"}),
    Case("reports:document_edit", STAFF_ONLY, kwargs=lambda w: {"pk": w.rep_document.pk}),
    Case("reports:document_edit", STAFF_POST, kwargs=lambda w: {"pk": w.rep_document.pk}, method="post",
         data=lambda w: {"title": w.rep_document.title, "issuer": w.rep_document.issuer, "doc_no": "赣教勤字〔2008〕3号",
                         "date": "2008-04-15", "kind": "notice", "topic": "liability",
                         "row_version": w.rep_document.version}),
    Case("reports:summary", BUREAU_READ, kwargs=lambda w: {"year": 2024}),
    Case("reports:summary_pdf", BUREAU_READ, kwargs=lambda w: {"year": 2024}),
    Case("reports:summary_sha256", BUREAU_READ, kwargs=lambda w: {"year": 2024}),
    Case("reports:quality_xlsx", BUREAU_READ, kwargs=lambda w: {"year": 2024}),
    Case("reports:settings", STAFF_ONLY, kwargs=lambda w: {"year": 2024}),
    Case("reports:settings", STAFF_POST, kwargs=lambda w: {"year": 2024}, method="post",
         data=lambda w: {"period_start": 2022, "subsidy_mode": "total", "base_coverage_threshold": "0.9",
                         "row_version": w.rep_settings.version}),
    Case("reports:narrative_edit", STAFF_ONLY, kwargs=lambda w: {"year": 2024, "section": "intro"}),
    Case("reports:narrative_edit", STAFF_POST, kwargs=lambda w: {"year": 2024, "section": "intro"}, method="post",
         data=lambda w: {"heading": "", "text": "新的叙述", "approved": "on", "row_version": w.rep_narrative.version}),
    Case("reports:facts", BUREAU_READ),
    Case("verify", {r: 200 for r in (ANON, STAFF, PRINCIPAL_A, PRINCIPAL_B, AUDITOR)}),
    Case("verify", {r: 200 for r in (ANON, STAFF, PRINCIPAL_A, PRINCIPAL_B, AUDITOR)}, method="post",
         data=lambda w: {"sha256": "b" * 64}),
    Case("reports:archived_document", SCHOOL_B_OBJECT, kwargs=lambda w: {"pk": w.rep_sheet.pk}),
    Case("reports:fact_edit", STAFF_ONLY, kwargs=lambda w: {"kind": "first_insurance"}),
    Case("reports:fact_edit", STAFF_POST, kwargs=lambda w: {"kind": "first_insurance"}, method="post",
         data=lambda w: {"year": "2006", "month": "", "note": ""}),
    Case("reports:examples", STAFF_ONLY, kwargs=lambda w: {"year": 2024}),
    Case("reports:examples", STAFF_POST, kwargs=lambda w: {"year": 2024}, method="post",
         data=lambda w: {"ex-TOTAL_FORMS": "1", "ex-INITIAL_FORMS": "0", "ex-MIN_NUM_FORMS": "0",
                         "ex-MAX_NUM_FORMS": "1000", "ex-0-school": str(w.school_b.pk), "ex-0-mode": "full",
                         "ex-0-order": "1", "ex-0-feature": ""}, check_leak=False),
    Case("reports:stated", STAFF_ONLY, kwargs=lambda w: {"year": 2024}),
    Case("reports:stated", STAFF_POST, kwargs=lambda w: {"year": 2024}, method="post",
         data=lambda w: {"st-TOTAL_FORMS": "1", "st-INITIAL_FORMS": "0", "st-MIN_NUM_FORMS": "0",
                         "st-MAX_NUM_FORMS": "1000", "st-0-key": "land_total", "st-0-value": "890",
                         "st-0-source": "手工稿"}),
    Case("reports:school_sheet", SCHOOL_B_OBJECT, kwargs=lambda w: {"year": 2024, "school_id": w.school_b.pk}),
]
