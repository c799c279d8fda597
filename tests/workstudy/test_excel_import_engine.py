"""The Excel import engine (workstudy.excel.saving._Import): the number of SQL queries of a file
does not grow with its rows or with the number of schools and bases it names, and the
checks done once per file (foreign keys, unique constraints, scope) give the same answers
as Django's per-row full_clean()."""

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from bench import measure as benchmark
from tests.factories import SchoolFactory, SubmissionFactory, UserFactory
from tests.labor_bases.factories import BaseYearFinanceFactory, LaborBaseFactory
from workstudy import excel, resources
from workstudy.models import Role, Submission

pytestmark = pytest.mark.django_db


def _bases(year, n, start=0):
    found = []
    for i in range(start, start + n):
        school = SchoolFactory(code=f"E{i:03d}", name=f"引擎学校{i}")
        SubmissionFactory(school=school, year=year)
        base = LaborBaseFactory(school=school, name=f"引擎基地{i}")
        BaseYearFinanceFactory(base=base, year=year)
        found.append(base)
    return found


def _production(bases, per_base, year, tag):
    return [{"school_code": base.school.code, "base_name": base.name, "base_id": base.pk, "year": year.year,
             "product": f"{tag}{k}", "grade": "一级" if k % 2 else "", "quantity": Decimal("3.5"), "unit": "kg",
             "unit_price": Decimal("2.00"), "note": ""} for base in bases for k in range(per_base)]


def _queries(user, year, key, data, *, dry_run):
    """The report, the number of queries other than INSERTs, and the number of INSERTs."""
    registration = excel.get_registration(key)
    with CaptureQueriesContext(connection) as ctx:
        report = excel.run_import(registration, user=user, year=year, data=data, dry_run=dry_run)
    assert report.ok, [str(i) for i in report.issues]
    inserts = sum(1 for q in ctx.captured_queries if q["sql"].startswith("INSERT"))
    return report, (len(ctx.captured_queries) - inserts, inserts)


@pytest.mark.parametrize("dry_run", [True, False])
def test_production_queries_do_not_grow_with_rows_or_schools(director, year, dry_run):
    few = _bases(year, 2)
    many = _bases(year, 25, start=100)
    _r, small = _queries(director, year, "labor_production",
                         benchmark.portal_xlsx(_production(few, 1, year, "少")), dry_run=dry_run)
    report, large = _queries(director, year, "labor_production",
                             benchmark.portal_xlsx(_production(many, 8, year, "多")), dry_run=dry_run)
    assert report.new == 200
    # Every lookup and check is once per file; only the bulk INSERTs come in batches (one
    # per 5,000 rows on PostgreSQL, fewer rows per batch on SQLite, whose statements are capped).
    assert large[0] == small[0], (small, large)
    assert large[1] <= 2 * -(-200 // connection.ops.bulk_batch_size(["a"] * 14, [None] * 200)) + 2, large


def _counts_xlsx(rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["学校", "年度", "教职工人数", "学生人数", "寄宿生人数", "贫困家庭学生人数"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_school_counts_preview_queries_do_not_grow_with_schools(director, year):
    schools = [SchoolFactory(code=f"C{i:03d}", name=f"计数学校{i}") for i in range(30)]
    for school in schools:
        SubmissionFactory(school=school, year=year)
    _r, small = _queries(director, year, "school_counts", _counts_xlsx(
        [[s.code, 2024, 10, 100, 0, 1] for s in schools[:2]]), dry_run=True)
    report, large = _queries(director, year, "school_counts", _counts_xlsx(
        [[s.name, 2024, 10, 100, 0, 1] for s in schools]), dry_run=True)
    assert report.update == 30
    assert large == small == (small[0], 0), (small, large)


class _CountsByStaffResource(resources.SubmissionCountsResource):
    """A natural key wider than the model's unique constraint (school, year), so that a row
    of the file is new yet collides with an existing row: the per-file unique check."""

    class Meta(resources.SubmissionCountsResource.Meta):
        import_id_fields = ("school", "year", "staff_count")


def test_unique_constraint_is_checked_for_the_whole_file(director, year, submission_a, school_a, school_b):
    registration = excel.Registration(key="test_counts", resource=_CountsByStaffResource, title="t")
    data = _counts_xlsx([[school_a.code, 2024, submission_a.staff_count + 1, 100, 0, 1],  # collides with the DB
                         [school_b.code, 2024, 7, 100, 0, 1],
                         [school_b.name, 2024, 8, 100, 0, 1]])  # collides with the row above
    report = excel.run_import(registration, user=director, year=year, data=data, dry_run=True)
    assert {issue.row for issue in report.issues} == {2, 4}, [str(i) for i in report.issues]
    assert all(issue.column == "" for issue in report.issues)
    # The message is Django's own, as full_clean() would give it.
    probe = Submission(school=school_a, year=year)
    expected = probe.unique_error_message(Submission, ("school", "year")).messages[0]
    assert all(issue.message == expected for issue in report.issues)


def test_missing_foreign_key_is_named_like_full_clean(director, year, submission_a, school_a):
    resource = resources.SubmissionCountsResource(user=director, year=year)
    job = excel.saving._Import(resource, [{"__row__": 2, "学校": school_a.code, "年度": 2024, "教职工人数": 1,
                                    "学生人数": 2, "寄宿生人数": 0, "贫困家庭学生人数": 0}])
    job._convert()
    job._find_instances()
    row = job.rows[0]
    row.instance.school_id = 987654  # a school deleted while the file was being checked
    job._apply(row)
    row.instance.school_id = 987654
    job._check_foreign_keys([row])
    probe = Submission(school_id=987654, year=year)
    with pytest.raises(Exception) as raised:
        probe.full_clean()
    assert row.errors["school"] == raised.value.message_dict["school"]


def test_principal_blocked_rows_and_bureau_only_kinds(year):
    school = SchoolFactory(code="P001", name="校长学校")
    SubmissionFactory(school=school, year=year, status="submitted")
    principal = UserFactory(username="engine-principal", role=Role.PRINCIPAL, school=school)
    report = excel.run_import(excel.get_registration("school_counts"), user=principal, year=year,
                              data=_counts_xlsx([["", 2024, 1, 2, 0, 0]]), dry_run=True)
    assert any("已上报" in str(issue) for issue in report.issues), [str(i) for i in report.issues]


def test_resource_hooks_that_would_be_ignored_are_refused():
    with pytest.raises(TypeError, match="import_field"):
        class _Custom(excel.PortalResource):  # noqa: F841 - defining it is the test
            def import_field(self, field, instance, row, is_m2m=False, **kwargs):
                return None


def test_principal_updates_ask_the_scope_once_per_school_and_year(year):
    from tests.labor_bases.factories import ProductionLineFactory

    base = _bases(year, 1, start=500)[0]
    principal = UserFactory(username="engine-updater", role=Role.PRINCIPAL, school=base.school)
    for k in range(6):
        ProductionLineFactory(base=base, year=year, product=f"旧{k}", grade="一级" if k % 2 else "", unit="kg")
    _r, one = _queries(principal, year, "labor_production",
                       benchmark.portal_xlsx(_production([base], 1, year, "旧")), dry_run=True)
    report, six = _queries(principal, year, "labor_production",
                           benchmark.portal_xlsx(_production([base], 6, year, "旧")), dry_run=True)
    assert report.update == 6
    assert six == one, (one, six)


def _sheet(headers, rows) -> bytes:
    workbook = Workbook()
    workbook.active.append(headers)
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


COVERAGE = ["学校", "年度", "在校学生数", "家长自愿投保人数", "贫困家庭学生数", "保险公司免费投保贫困生", "学校垫付贫困生",
            "学校垫付金额（元）", "已留存自愿投保确认"]


@pytest.mark.parametrize("dry_run", [True, False])
def test_coverage_reads_the_student_counts_once_per_file(director, year, dry_run):
    """The 学平险 coverage's clean() compares with the school's student count: read for the
    whole file (cleaning_many), not once per row — and still enforced row by row."""
    def schools(n, start):
        found = []
        for i in range(start, start + n):
            school = SchoolFactory(code=f"C{i:03d}", name=f"覆盖学校{i}")
            SubmissionFactory(school=school, year=year, student_count=300)
            found.append(school)
        return found

    def rows(found, parent_paid=100):
        return [[s.code, 2024, "", parent_paid, "", 5, 5, 100, "是"] for s in found]

    _r, small = _queries(director, year, "insurance_coverage", _sheet(COVERAGE, rows(schools(2, 0))), dry_run=dry_run)
    many = schools(30, 100)
    _r, large = _queries(director, year, "insurance_coverage", _sheet(COVERAGE, rows(many)), dry_run=dry_run)
    assert large[0] == small[0], (small, large)
    report = excel.run_import(excel.get_registration("insurance_coverage"), user=director, year=year,
                              data=_sheet(COVERAGE, rows(many[:1], parent_paid=290) + rows(many[1:2], parent_paid=291)),
                              dry_run=True)
    assert [i.row for i in report.issues] == [3] and "学生人数 300 人" in str(report.issues[0])


FIGURES = ["企业", "年度", "销售收入及营业额(元)", "成本(元)", "利润(元)", "缴纳税金(元)", "补贴教育经费(元)", "职工人数(人)",
           "学生勤工俭学岗位(人)", "备注"]


def test_enterprise_figures_check_their_constraint_without_a_query_per_row(director, year):
    from tests.enterprises.factories import EnterpriseFactory

    def rows(n, start, revenue=1000):
        return [[EnterpriseFactory(name=f"引擎企业{i}").name, 2024, revenue, 800, None, 10, 50, 3, 1, ""]
                for i in range(start, start + n)]

    _r, small = _queries(director, year, "enterprise_figures", _sheet(FIGURES, rows(2, 0)), dry_run=True)
    _r, large = _queries(director, year, "enterprise_figures", _sheet(FIGURES, rows(30, 100)), dry_run=True)
    assert large[0] == small[0], (small, large)
