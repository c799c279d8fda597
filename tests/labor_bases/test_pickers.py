"""Labor bases and plots in the entry forms: a drop-down for a few, a search box with
suggestions (/pick/labor_base/, /pick/parcel/) when the bureau sees more than the picker
threshold — at province size 15,000 bases made every entry form a 1.5-4.5 MB page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from labor_bases.models import LandParcel, ProductionLine
from tests.labor_bases.factories import LaborBaseFactory, LandParcelFactory

PLOT_NEW = reverse("labor_bases:plot_create") + "?year=2024"
LINE_NEW = reverse("labor_bases:line_create") + "?year=2024"


@pytest.fixture
def many(settings, school_a, school_b, base_a, base_b, year):
    """More bases than the threshold, two of them with the same name at different schools."""
    settings.SCHOOL_PICKER_THRESHOLD = 2
    twin_a = LaborBaseFactory(school=school_a, name="共用名基地")
    twin_b = LaborBaseFactory(school=school_b, name="共用名基地")
    return {"twin_a": twin_a, "twin_b": twin_b}


def plot(base_text, **extra):
    return {"base": base_text, "land_type": "grain", "crop": "水稻", "area_mu": "5", **extra}


def field_html(body: str, name: str) -> str:
    return body.split(f'name="{name}"', 1)[1].split("</label>")[0] if f'name="{name}"' in body else ""


def test_below_the_threshold_the_bureau_gets_a_drop_down(director_client, base_a, base_b, year):
    body = director_client.get(PLOT_NEW).content.decode()
    assert '<select name="base"' in body and "甲校樟坪 · 甲校茶园基地" in body and "data-picker" not in body


def test_above_the_threshold_the_bureau_gets_a_search_box(director_client, many):
    body = director_client.get(PLOT_NEW).content.decode()
    assert '<input type="text" name="base"' in body and 'data-picker="labor_base"' in body
    assert 'data-search-url="/pick/labor_base/?active=1"' in body
    assert "<option" not in field_html(body, "base")
    body = director_client.get(LINE_NEW).content.decode()
    assert 'data-picker="labor_base"' in body


def test_the_typed_base_is_saved(director_client, many, base_b):
    response = director_client.post(PLOT_NEW, plot("乙校SECRETB · 乙校桔园"))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert LandParcel.objects.get().base == base_b
    response = director_client.post(PLOT_NEW, plot("乙校桔"))  # a unique part of a name is enough
    assert response.status_code == 302 and LandParcel.objects.filter(base=base_b).count() == 2


def test_an_unknown_or_ambiguous_base_is_explained_and_nothing_saved(director_client, many):
    response = director_client.post(PLOT_NEW, plot("不存在的基地"))
    assert response.status_code == 200 and "未找到基地“不存在的基地”" in response.content.decode()
    response = director_client.post(PLOT_NEW, plot("共用名基地"))
    assert response.status_code == 200 and "对应多个基地" in response.content.decode()
    response = director_client.post(PLOT_NEW, plot("甲校樟坪 · 共用名基地"))
    assert response.status_code == 302 and LandParcel.objects.get().base == many["twin_a"]


def test_editing_shows_the_current_base_and_saves_unchanged(director_client, many, base_a, year):
    parcel = LandParcelFactory(base=base_a, year=year, land_type="tea", crop="茶", area_mu=Decimal("12"))
    url = reverse("labor_bases:plot_edit", args=[parcel.pk])
    body = director_client.get(url).content.decode()
    assert 'value="甲校樟坪 · 甲校茶园基地"' in body
    data = plot("甲校樟坪 · 甲校茶园基地", area_mu="13", row_version=parcel.version)
    assert director_client.post(url, data).status_code == 302
    parcel.refresh_from_db()
    assert parcel.base == base_a and parcel.area_mu == Decimal("13")


def test_a_principal_keeps_the_drop_down_of_their_own_bases(principal_a_client, many, base_b):
    body = principal_a_client.get(PLOT_NEW).content.decode()
    assert '<select name="base"' in body and "乙校桔园" not in body and "data-picker=\"labor_base\"" not in body
    response = principal_a_client.post(PLOT_NEW, plot(str(base_b.pk)))
    assert response.status_code == 200 and not LandParcel.objects.exists()


def test_base_suggestions_are_scoped(director_client, principal_a_client, client, many, base_a, base_b):
    url = reverse("picker_search", args=["labor_base"])
    labels = [r["label"] for r in director_client.get(url, {"q": "共用名"}).json()["results"]]
    assert labels == ["甲校樟坪 · 共用名基地", "乙校SECRETB · 共用名基地"]
    labels = [r["label"] for r in principal_a_client.get(url, {"q": "基地"}).json()["results"]]
    assert "甲校樟坪 · 甲校茶园基地" in labels and not any("乙校" in label for label in labels)
    assert principal_a_client.get(url, {"q": "乙校桔园"}).json()["results"] == []
    assert director_client.get(url, {"q": "乙校SECRETB · 桔"}).json()["results"][0]["id"] == base_b.pk
    assert director_client.get(url, {"q": "x" * 5000}).status_code == 200
    assert director_client.get(reverse("picker_search", args=["nothing"])).status_code == 404
    assert client.get(url, {"q": "基地"}).status_code == 302  # not signed in: to the login page


def test_plots_in_the_production_form_search_within_the_year(director_client, settings, base_a, base_b, year):
    settings.SCHOOL_PICKER_THRESHOLD = 1
    mine = LandParcelFactory(base=base_a, year=year, land_type="tea", crop="明前茶", area_mu=Decimal("12"))
    LandParcelFactory(base=base_b, year=year, land_type="orchard", crop="桔", area_mu=Decimal("30"))
    body = director_client.get(LINE_NEW).content.decode()
    assert 'data-picker="parcel"' in body and f'data-search-url="/pick/parcel/?year={year.pk}"' in body
    url = reverse("picker_search", args=["parcel"])
    found = director_client.get(url, {"q": "明前", "year": year.pk}).json()["results"]
    assert [r["id"] for r in found] == [mine.pk]
    assert director_client.get(url, {"q": "明前"}).json()["results"] == []  # no year, no plots
    label = found[0]["label"]
    data = {"base": "甲校樟坪 · 甲校茶园基地", "parcel": label, "product": "茶叶", "grade": "", "quantity": "10",
            "unit": "kg", "unit_price": "100", "note": ""}
    response = director_client.post(LINE_NEW, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert ProductionLine.objects.get().parcel == mine


def test_the_search_box_says_how_it_works_and_fits_the_labels(director_client, many, base_a, year):
    body = director_client.get(PLOT_NEW).content.decode()
    assert "再从提示中选择“学校 · 基地”" in body and 'size="44"' in body
    for crop in ("茶", "桔", "稻"):
        LandParcelFactory(base=base_a, year=year, land_type="tea", crop=crop, area_mu=Decimal("1"))
    body = director_client.get(LINE_NEW).content.decode()
    assert "再从提示中选择地块。 可不填" in body  # the kind's hint, then the field's own help


def test_hints_beside_the_form_follow_the_typed_base(director_client, many, base_a, year):
    """The plot form's "other plots this year" hint and the accounts form's production value
    read the base from the search box's text as they did from the drop-down's id."""
    LandParcelFactory(base=base_a, year=year, land_type="tea", crop="茶", area_mu=Decimal("7"))
    body = director_client.get(PLOT_NEW + f"&base={base_a.pk}").content.decode()
    assert "本年其他地块合计 7.00 亩" in body
    response = director_client.post(PLOT_NEW, plot("甲校樟坪 · 甲校茶园基地", area_mu="-1"))
    assert response.status_code == 200 and "本年其他地块合计 7.00 亩" in response.content.decode()
    response = director_client.post(PLOT_NEW, plot("没有这个基地", area_mu="-1"))
    assert response.status_code == 200 and "本年其他地块合计" not in response.content.decode()


def test_control_characters_in_a_search_are_dropped_not_sent_to_the_database(director_client, many, base_b):
    """PostgreSQL refuses a NUL in a query: a typed or pasted control character never reaches it
    (the suggestions, the picker's lookup and the ?school= filter alike)."""
    found = director_client.get(reverse("picker_search", args=["labor_base"]), {"q": "乙校桔\x00"}).json()["results"]
    assert [r["id"] for r in found] == [base_b.pk]
    assert director_client.get("/schools/search/", {"q": "\x00B001"}).json()["results"][0]["code"] == "B001"
    response = director_client.post(PLOT_NEW, plot("乙校SECRETB · 乙校桔园\x00"))
    assert response.status_code == 302 and LandParcel.objects.get().base == base_b
    response = director_client.post(PLOT_NEW, plot("\x00\x1f"))
    assert response.status_code == 200 and LandParcel.objects.count() == 1  # nothing typed: "required"
    response = director_client.get(reverse("insurance:claim_list"), {"school": "乙校\x00"})
    assert response.status_code == 200
