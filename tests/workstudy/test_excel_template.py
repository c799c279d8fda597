"""The Excel templates as a user gets them: a marked example row the import leaves out,
drop-down lists of the downloading school's values (the ones the import accepts), a note on
every header cell, the production lines' 所在地块 column, and the result page's links to
the rows an import wrote. Every file here is a real .xlsx made by the download view and
read back with openpyxl."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from labor_bases.models import LandParcel, ProductionLine
from tests.factories import SchoolFactory
from tests.labor_bases.factories import LaborBaseFactory, LandParcelFactory, ProductionLineFactory
from workstudy import excel
from workstudy.models import ImportUpload, Submission

MARK = "【示例】"


@pytest.fixture
def base_a(school_a, year):
    return LaborBaseFactory(school=school_a, name="甲校茶园基地")


@pytest.fixture
def base_b(school_b, year):
    return LaborBaseFactory(school=school_b, name="乙校桔园SECRET")


@pytest.fixture
def plots(base_a, base_b, year):
    tea = LandParcelFactory(base=base_a, year=year, land_type="tea", crop="茶", area_mu=Decimal("12"))
    orchard = LandParcelFactory(base=base_b, year=year, land_type="orchard", crop="桔", area_mu=Decimal("30"))
    ProductionLineFactory(base=base_b, year=year, product="乙校秘密产品", grade="", quantity=Decimal("1"),
                          unit_price=Decimal("1"))
    return tea, orchard


def download(client, key, **params):
    response = client.get(reverse("excel:template", args=[key]), params)
    assert response.status_code == 200, response.status_code
    return response.content


def as_upload(data: bytes, name="template.xlsx"):
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer


def post_file(client, key, data, year=2024):
    return client.post(reverse("excel:import", args=[key]), {"file": as_upload(data), "year": year})


def confirm(client, key, response):
    return client.post(reverse("excel:import", args=[key]), {"upload_id": response.context["upload"].pk})


def headers(sheet) -> list:
    return [cell.value for cell in sheet[1]]


def lists_of(workbook, sheet) -> dict:
    """{header: (values, strict)} of the sheet's list validations, a named range read from
    its hidden sheet as Excel would."""
    found = {}
    for validation in sheet.data_validations.dataValidation:
        assert validation.type == "list"
        formula = validation.formula1
        if formula.startswith('"'):
            values = formula.strip('"').split(",")
        else:
            (title, ref), = workbook.defined_names[formula].destinations
            values = [row[0].value for row in workbook[title][ref.replace("$", "")]]
        for cell_range in validation.sqref.ranges:
            assert cell_range.min_row == 2 and cell_range.max_row > 1000
            found[sheet.cell(row=1, column=cell_range.min_col).value] = (values, bool(validation.showErrorMessage))
    return found


def test_production_template_example_lists_and_notes(principal_a_client, base_a, base_b, plots):
    ProductionLineFactory(base=base_a, year=plots[0].year, product="绿茶", grade="", quantity=Decimal("5"),
                          unit_price=Decimal("80"))
    workbook = load_workbook(io.BytesIO(download(principal_a_client, "labor_production", year=2024)))
    sheet = workbook.worksheets[0]
    columns = headers(sheet)
    assert "所在地块" in columns and columns[:3] == ["学校", "基地名称", "年度"]
    assert workbook.worksheets[1].title == "填写说明"

    # The example row: marked, grey italics, with a note; the values of school A's own base and plot.
    example = dict(zip(columns, [cell.value for cell in sheet[2]], strict=True))
    first = sheet["A2"]
    assert first.value.startswith(MARK) and first.font.i and first.font.color.rgb.endswith("808080")
    assert first.comment is not None and MARK in first.comment.text
    assert example["基地名称"] == base_a.name and example["所在地块"] == "茶园·茶" and example["年度"] == 2024
    assert sheet.max_row == 2

    # A note on every header: what to enter, and the limit's range and unit where the field has one.
    notes = {cell.value: cell.comment.text if cell.comment else None for cell in sheet[1]}
    assert all(notes.values()), notes
    assert "0 至 100,000,000" in notes["产量"]
    assert "0 至 1,000,000 元" in notes["平均单价(元)"] and "最多 2 位小数" in notes["平均单价(元)"]
    assert notes["基地名称"].startswith("必填") and notes["所在地块"].startswith("可留空")
    assert "不会导入" in notes["产值(元)"]
    instructions = {row[0]: row[1] for row in workbook["填写说明"].iter_rows(min_row=2, values_only=True) if row[0]}
    assert instructions["产量"] == notes["产量"]

    # Drop-down lists: school A's bases, plots and products, never school B's; units and years.
    lists = lists_of(workbook, sheet)
    assert lists["基地名称"] == ([base_a.name], True)
    assert lists["所在地块"] == (["茶园·茶"], True)
    assert lists["计量单位"] == (["千克", "斤", "尾", "株", "个"], True)
    assert lists["年度"][0] == ["2024"]
    assert lists["产品"] == (["绿茶"], False)  # a suggestion: any product is accepted
    everything = str([cell.value for ws in workbook.worksheets for row in ws.iter_rows() for cell in row])
    assert "SECRET" not in everything and "秘密" not in everything and "果园·桔" not in everything


def test_plots_template_lists_land_types_and_areas_range(principal_a_client, base_a, base_b, year):
    workbook = load_workbook(io.BytesIO(download(principal_a_client, "labor_plots")))
    sheet = workbook.worksheets[0]
    lists = lists_of(workbook, sheet)
    assert lists["土地类型"][0] == ["粮田", "果园", "雷竹", "茶园", "湿地松", "荒山", "鱼塘", "其他"]
    assert lists["基地名称"] == ([base_a.name], True)
    note = sheet.cell(row=1, column=headers(sheet).index("面积(亩)") + 1).comment.text
    assert "0 至 100,000 亩" in note


def test_long_lists_live_on_a_hidden_sheet_under_a_name(principal_a_client, school_a, year):
    names = [f"甲校第{n:02d}号劳动实践基地（山后片区）" for n in range(40)]
    for name in names:
        LaborBaseFactory(school=school_a, name=name)
    workbook = load_workbook(io.BytesIO(download(principal_a_client, "labor_plots")))
    sheet = workbook.worksheets[0]
    validation = next(v for v in sheet.data_validations.dataValidation if "B2" in str(v.sqref))
    assert not validation.formula1.startswith('"') and validation.formula1 in workbook.defined_names
    assert lists_of(workbook, sheet)["基地名称"][0] == sorted(names)
    hidden = [ws for ws in workbook.worksheets if ws.sheet_state == "hidden"]
    assert [ws.title for ws in hidden] == ["下拉选项"]


def test_staff_get_the_chosen_schools_lists_or_all(director_client, principal_a_client, base_a, base_b, school_b):
    workbook = load_workbook(io.BytesIO(download(director_client, "labor_plots", school=school_b.pk)))
    assert lists_of(workbook, workbook.worksheets[0])["基地名称"][0] == [base_b.name]
    workbook = load_workbook(io.BytesIO(download(director_client, "labor_plots")))
    assert sorted(lists_of(workbook, workbook.worksheets[0])["基地名称"][0]) == sorted([base_a.name, base_b.name])
    # A principal cannot ask for another school's lists.
    workbook = load_workbook(io.BytesIO(download(principal_a_client, "labor_plots", school=school_b.pk)))
    assert lists_of(workbook, workbook.worksheets[0])["基地名称"][0] == [base_a.name]
    assert director_client.get(reverse("excel:template", args=["labor_plots"]), {"school": 999999}).status_code == 404


def test_unchanged_template_imports_nothing_and_reports_no_error(principal_a_client, principal_a, base_a, plots):
    data = download(principal_a_client, "labor_production", year=2024)
    response = post_file(principal_a_client, "labor_production", data)
    assert response.status_code == 200
    report = response.context["report"]
    assert report.ok and report.issues == [] and report.total_rows == 0 and report.examples == [2]
    assert response.context["upload"] is None and not ImportUpload.objects.exists()
    assert "只有填写示例" in response.content.decode()
    # Saving it (not only previewing) writes nothing either.
    before = ProductionLine.objects.count()
    registration = excel.get_registration("labor_production")
    report = excel.run_import(registration, user=principal_a, year=plots[0].year, data=data, dry_run=False)
    assert report.ok and ProductionLine.objects.count() == before


def test_example_plus_a_real_row_equal_to_it_writes_exactly_that_row(principal_a_client, base_a, plots, school_a):
    workbook = load_workbook(io.BytesIO(download(principal_a_client, "labor_production", year=2024)))
    sheet = workbook.worksheets[0]
    example = [cell.value for cell in sheet[2]]
    real = [example[0][len(MARK):], *example[1:]]  # the example's values, without the mark
    sheet.append(real)
    buffer = io.BytesIO()
    workbook.save(buffer)
    before = set(ProductionLine.objects.values_list("pk", flat=True))

    response = post_file(principal_a_client, "labor_production", buffer.getvalue())
    report = response.context["report"]
    assert response.status_code == 200 and report.ok, [str(i) for i in report.issues]
    assert (report.total_rows, report.new, report.update, report.examples) == (1, 1, 0, [2])
    assert "第 2 行以“【示例】”开头" in response.content.decode()

    response = confirm(principal_a_client, "labor_production", response)
    assert response.status_code == 302
    written = ProductionLine.objects.exclude(pk__in=before)
    assert written.count() == 1
    line = written.get()
    assert (line.base, line.parcel, line.product, line.quantity, line.value) == (
        base_a, plots[0], "茶叶", Decimal("120"), Decimal("36000.00"))

    # The result page links to the list of the rows written: the school's lines of the year.
    page = principal_a_client.get(response["Location"])
    assert page.status_code == 200
    links = page.context["result"]["links"]
    assert len(links) == 1 and links[0]["year"] == 2024
    url = links[0]["url"]
    assert url.startswith(reverse("labor_bases:lines")) and "year=2024" in url and f"school={school_a.pk}" in url
    assert f'href="{url.replace("&", "&amp;")}"' in page.content.decode()
    listed = principal_a_client.get(url)
    assert listed.status_code == 200 and line in listed.context["object_list"]
    # The result is shown once.
    assert principal_a_client.get(response["Location"]).context["result"] is None


def test_a_plot_of_another_base_or_year_is_refused_naming_the_row(principal_a_client, base_a, plots, school_a):
    other_base = LaborBaseFactory(school=school_a, name="甲校鱼塘基地")
    LandParcelFactory(base=other_base, year=plots[0].year, land_type="fish_pond", crop="草鱼")
    workbook = load_workbook(io.BytesIO(download(principal_a_client, "labor_production", year=2024)))
    sheet = workbook.worksheets[0]
    columns = headers(sheet)
    row = [None] * len(columns)
    for column, value in {"基地名称": base_a.name, "年度": 2024, "所在地块": "鱼塘·草鱼", "产品": "鱼",
                          "产量": 10, "计量单位": "千克", "平均单价(元)": 20}.items():
        row[columns.index(column)] = value
    sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = post_file(principal_a_client, "labor_production", buffer.getvalue())
    messages = [str(issue) for issue in response.context["report"].issues]
    assert response.status_code == 400
    assert any("第 3 行" in m and "所在地块" in m and "茶园·茶" in m for m in messages), messages


def test_a_file_without_the_plot_column_still_imports_and_keeps_the_plot(principal_a_client, base_a, plots):
    line = ProductionLineFactory(base=base_a, year=plots[0].year, product="茶叶", grade="一级嫩茶",
                                 quantity=Decimal("120"), unit_price=Decimal("300"), parcel=plots[0])
    old_headers = ["学校", "基地名称", "年度", "产品", "等级/规格", "产量", "计量单位", "平均单价(元)", "产值(元)", "备注"]
    workbook = Workbook()
    workbook.active.append(old_headers)
    workbook.active.append(["", base_a.name, 2024, "茶叶", "一级嫩茶", 150, "千克", 300, "", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = post_file(principal_a_client, "labor_production", buffer.getvalue())
    assert response.context["report"].ok, response.context["report"].issues
    confirm(principal_a_client, "labor_production", response)
    line.refresh_from_db()
    assert line.quantity == Decimal("150") and line.parcel == plots[0]


def test_export_keeps_its_columns(principal_a_client, base_a, plots):
    response = principal_a_client.get(reverse("excel:export", args=["labor_production"]) + "?year=2024")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    assert "所在地块" not in headers(sheet)


@pytest.mark.parametrize("key", [r.key for r in excel.registrations() if r.import_roles])
def test_every_kinds_unchanged_template_checks_clean(key, director_client, director, submission_a, submission_b):
    """Every importable kind's template, as staff download it, uploads with no error and
    writes nothing; its example row is marked and every header has a note."""
    data = download(director_client, key)
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet["A2"].value.startswith(MARK)
    assert all(cell.comment is not None for cell in sheet[1])
    report = excel.run_import(excel.get_registration(key), user=director, year=submission_a.year, data=data,
                              dry_run=False)
    assert report.ok and report.total_rows == 0 and report.examples == [2], [str(i) for i in report.issues]


def test_school_counts_example_row_without_its_mark_is_imported(principal_a_client, submission_a, school_a):
    workbook = load_workbook(io.BytesIO(download(principal_a_client, "school_counts", year=2024)))
    sheet = workbook.worksheets[0]
    assert sheet["A2"].value == MARK + school_a.name
    sheet["A2"] = school_a.name
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = post_file(principal_a_client, "school_counts", buffer.getvalue())
    assert response.context["report"].ok and response.context["report"].update == 1
    response = confirm(principal_a_client, "school_counts", response)
    assert Submission.objects.get(pk=submission_a.pk).student_count == 400
    links = principal_a_client.get(response["Location"]).context["result"]["links"]
    assert links == [{"year": 2024, "url": reverse("school_counts", args=[school_a.pk]) + "?year=2024"}]


def test_lists_are_what_the_import_accepts(principal_a_client, principal_a, base_a, plots):
    """Each strict list's every value, put in a row, passes the column's import check."""
    data = download(principal_a_client, "labor_production", year=2024)
    workbook = load_workbook(io.BytesIO(data))
    lists = lists_of(workbook, workbook.worksheets[0])
    resource = excel.get_registration("labor_production").resource_class(user=principal_a, year=plots[0].year)
    for field in resource.get_import_fields():
        values, strict = lists.get(field.column_name, ([], False))
        if not strict or field.column_name == "所在地块":
            continue
        for value in values:
            field.widget.clean(value, row={"基地名称": base_a.name, "年度": "2024"})
    plot_widget = resource.fields["parcel"].widget
    for value in lists["所在地块"][0]:
        assert plot_widget.clean(value, row={"基地名称": base_a.name, "年度": "2024"}) == LandParcel.objects.get(
            base=base_a, crop="茶")


def test_import_page_offers_staff_a_school_for_the_template(director_client, principal_a_client, school_a, year):
    SchoolFactory(code="C001", name="丙校")
    page = director_client.get(reverse("excel:import", args=["labor_plots"]) + "?year=2024").content.decode()
    assert 'name="school"' in page and "丙校" in page
    page = principal_a_client.get(reverse("excel:import", args=["labor_plots"]) + "?year=2024").content.decode()
    assert 'name="school"' not in page and "丙校" not in page
