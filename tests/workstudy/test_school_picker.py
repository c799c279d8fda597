"""The school picker (workstudy/widgets.py) and its suggestions endpoint (/schools/search/)."""

import json

import pytest
from django import forms
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.factories import SchoolFactory
from workstudy import scoping
from workstudy.models import School, Submission
from workstudy.widgets import SchoolChoiceField, SchoolFilterForm, search_schools, use_school_picker

SEARCH = "/schools/search/"


class PickForm(forms.Form):
    school = forms.ModelChoiceField(School.objects.none(), label="学校", help_text="帮助")

    def __init__(self, *args, user=None, active_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        use_school_picker(self, "school", scoping.schools_for(user), active_only=active_only)


@pytest.fixture
def small(settings):
    settings.SCHOOL_PICKER_THRESHOLD = 200


@pytest.fixture
def large(settings):
    settings.SCHOOL_PICKER_THRESHOLD = 1


@pytest.fixture
def many_schools(db):
    return [SchoolFactory(code=f"C{n:03d}", name=f"丙镇第{n}小学") for n in range(1, 6)]


# ----------------------------------------------------------------- rendering


def test_below_threshold_is_a_select_of_the_visible_schools(small, director, school_a, school_b):
    html = str(PickForm(user=director)["school"])
    assert html.startswith("<select")
    assert f'<option value="{school_a.pk}">A001 甲校樟坪</option>' in html
    assert "乙校SECRETB" in html
    assert 'data-picker="school"' not in html


def test_above_threshold_is_a_text_input_with_suggestions_and_no_options(large, director, school_a, school_b):
    form = PickForm(user=director, initial={"school": school_b.pk})
    html = str(form["school"])
    assert html.startswith('<input type="text" name="school"')
    assert "<option" not in html and "<select" not in html
    assert 'value="B001 乙校SECRETB"' in html  # the initial id is shown as code and name
    assert 'list="id_school_suggestions"' in html and '<datalist id="id_school_suggestions">' in html
    assert f'data-search-url="{reverse("school_search")}"' in html
    assert 'src="/static/js/picker.js"' in html
    assert "required" in html and 'placeholder="输入学校代码或校名"' in html
    assert form["school"].label == "学校" and form["school"].help_text == "帮助"


def test_active_only_narrows_the_choices_and_the_suggestions(settings, director, school_a, school_b):
    settings.SCHOOL_PICKER_THRESHOLD = 0
    school_b.active = False
    school_b.save()
    form = PickForm(user=director, active_only=True)
    assert list(form.fields["school"].queryset) == [school_a]
    assert 'data-search-url="/schools/search/?active=1"' in str(form["school"])
    bound = PickForm({"school": "B001"}, user=director, active_only=True)
    assert not bound.is_valid()


def test_a_principal_picks_only_their_own_school_and_it_stays_a_select(large, principal_a, school_a, school_b):
    # One school is below any threshold of at least 1.
    form = PickForm({"school": str(school_b.pk)}, user=principal_a)
    assert not form.is_valid()
    assert "乙校SECRETB" not in str(form["school"])
    assert PickForm({"school": str(school_a.pk)}, user=principal_a).is_valid()


# ----------------------------------------------------------------- typed input


@pytest.mark.parametrize("typed", ["B001", "b001", "乙校SECRETB", "B001 乙校SECRETB", "  B001   乙校SECRETB ", "SECRET"])
def test_typed_code_name_or_suggestion_resolves(large, director, school_a, school_b, typed):
    form = PickForm({"school": typed}, user=director)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["school"] == school_b
    # Shown back as the suggestion would show it (e.g. when another field has an error).
    assert 'value="B001 乙校SECRETB"' in str(form["school"])


def test_an_id_still_resolves_so_old_links_work(large, director, school_a, school_b):
    form = PickForm({"school": str(school_b.pk)}, user=director)
    assert form.is_valid() and form.cleaned_data["school"] == school_b


def test_nothing_found_is_a_clear_message(large, director, school_a, school_b):
    form = PickForm({"school": "不存在的学校"}, user=director)
    assert not form.is_valid()
    assert form.errors["school"] == ["未找到学校“不存在的学校”，请输入学校代码或完整校名。"]


def test_more_than_one_match_is_a_clear_message(large, director, many_schools):
    form = PickForm({"school": "丙镇"}, user=director)
    assert not form.is_valid()
    assert form.errors["school"] == ["“丙镇”对应多所学校，请输入学校代码或完整校名，或从提示中选择。"]
    assert 'value="丙镇"' in str(form["school"])  # the typed text is kept for correcting
    exact = PickForm({"school": "丙镇第3小学"}, user=director)
    assert exact.is_valid() and exact.cleaned_data["school"].code == "C003"


def test_a_principal_cannot_type_another_schools_name(settings, principal_a, school_a, school_b):
    settings.SCHOOL_PICKER_THRESHOLD = 0  # force the text input even for one school
    form = PickForm({"school": "乙校SECRETB"}, user=principal_a)
    assert not form.is_valid()
    assert "未找到学校" in form.errors["school"][0]
    ok = PickForm({"school": "A001"}, user=principal_a)
    assert ok.is_valid() and ok.cleaned_data["school"] == school_a


def test_the_messages_are_translated(large, director, school_a, school_b, many_schools):
    with translation.override("en"):
        missing = PickForm({"school": "nowhere"}, user=director)
        several = PickForm({"school": "丙镇"}, user=director)
        assert not missing.is_valid() and not several.is_valid()
        assert missing.errors["school"][0].startswith("No school")
        assert "未找到" not in missing.errors["school"][0]
        assert several.errors["school"][0].startswith("More than one school")
        assert 'placeholder="Type a school code or name"' in str(missing["school"])


def test_disabled_picker_keeps_the_initial_school(large, director, school_a, school_b):
    form = PickForm({"school": "A001"}, user=director, initial={"school": school_b.pk})
    form.fields["school"].disabled = True
    assert form.is_valid() and form.cleaned_data["school"] == school_b
    assert not form.has_changed()


def test_rendering_the_text_input_costs_the_same_queries_at_any_size(large, director, school_a, school_b):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            str(PickForm(user=director, initial={"school": school_a.pk})["school"])
        return len(ctx.captured_queries)

    before = count()
    for n in range(30):
        SchoolFactory(code=f"Q{n:03d}")
    assert count() == before <= 2


# ----------------------------------------------------------------- list filter


def test_filter_form_filters_by_typed_text_and_rewrites_the_link_to_an_id(
    large, director, submission_a, submission_b
):
    school_b = submission_b.school
    params = QueryDict(mutable=True)
    params.update({"school": "乙校SECRETB", "page": "2", "status": "paid"})
    f = SchoolFilterForm(params, user=director)
    assert f.school == school_b and not f.failed
    assert list(f.filter(Submission.objects.all())) == [submission_b]
    qs = QueryDict(f.querystring(params))
    assert qs["school"] == str(school_b.pk) and qs["status"] == "paid" and "page" not in qs


def test_filter_form_bad_input_gives_no_rows_and_a_message(large, director, submission_a, submission_b):
    f = SchoolFilterForm(QueryDict("school=nope"), user=director)
    assert f.failed and f.filter(Submission.objects.all()).count() == 0
    assert "未找到学校“nope”" in str(f["school"].errors)


def test_filter_form_without_a_school_does_not_filter(small, director, submission_a, submission_b):
    f = SchoolFilterForm(QueryDict("status=paid"), user=director)
    assert not f.is_bound and f.school is None
    assert f.filter(Submission.objects.all()).count() == 2
    html = str(f["school"])
    assert html.startswith("<select") and '<option value="" selected>全部</option>' in html


# ----------------------------------------------------------------- endpoint


def _results(client, query=""):
    response = client.get(SEARCH + query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)["results"]


def test_endpoint_matches_code_prefix_or_part_of_the_name(director_client, school_a, school_b, many_schools):
    assert [r["code"] for r in _results(director_client, "?q=SECRET")] == ["B001"]
    assert [r["code"] for r in _results(director_client, "?q=c00")] == ["C001", "C002", "C003", "C004", "C005"]
    assert _results(director_client, "?q=B001 乙校")[0] == {
        "id": school_b.pk, "code": "B001", "name": "乙校SECRETB", "label": "B001 乙校SECRETB",
    }
    assert _results(director_client, "?q=nothing-like-this") == []


def test_endpoint_returns_at_most_twenty(clerk_client, db):
    for n in range(25):
        SchoolFactory(code=f"M{n:03d}", name=f"多校{n}")
    assert len(_results(clerk_client, "?q=多校")) == 20
    assert len(_results(clerk_client)) == 20


def test_endpoint_principal_only_ever_gets_their_own_school(principal_a_client, school_a, school_b):
    assert _results(principal_a_client, "?q=乙校") == []
    assert _results(principal_a_client, "?q=B001") == []
    assert [r["code"] for r in _results(principal_a_client)] == ["A001"]
    response = principal_a_client.get(SEARCH + "?q=")
    assert b"SECRETB" not in response.content


def test_endpoint_staff_and_auditor_see_all(director_client, auditor_client, school_a, school_b):
    for client in (director_client, auditor_client):
        assert {r["code"] for r in _results(client, "?q=")} == {"A001", "B001"}


def test_endpoint_active_only(director_client, school_a, school_b):
    school_b.active = False
    school_b.save()
    assert {r["code"] for r in _results(director_client, "?active=1")} == {"A001"}
    assert {r["code"] for r in _results(director_client)} == {"A001", "B001"}


def test_endpoint_requires_login(client, school_a):
    response = client.get(SEARCH + "?q=A")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_search_schools_ignores_overlong_input(db, school_a):
    assert search_schools(School.objects.all(), "A" * 500) == []


def test_field_accepts_a_school_instance(large, director, school_a, school_b):
    field = SchoolChoiceField(School.objects.all())
    assert field.clean(school_b) == school_b


# ----------------------------------------------------------------- labor_bases base form


def test_labor_base_form_staff_types_the_school_principal_keeps_a_hidden_id(
    large, director, principal_a, school_a, school_b
):
    from labor_bases.forms import LaborBaseForm

    data = {"name": "乙校农场", "location": "", "established_year": "", "declared_total_mu": "", "active": "on",
            "note": ""}
    form = LaborBaseForm({**data, "school": "乙校SECRETB"}, user=director)
    assert '<input type="text" name="school"' in str(form["school"])
    assert form.is_valid(), form.errors
    assert form.save().school == school_b
    bad = LaborBaseForm({**data, "name": "另一个", "school": "丁校"}, user=director)
    assert not bad.is_valid() and "未找到学校“丁校”" in bad.errors["school"][0]
    own = LaborBaseForm(user=principal_a)
    assert str(own["school"]) == f'<input type="hidden" name="school" value="{school_a.pk}" id="id_school">'
