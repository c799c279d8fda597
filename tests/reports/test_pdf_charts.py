"""The charts the PDF draws: only what is drawn (no tooltip data), every value label kept."""

import re
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from reports import charts


def _rows():
    return [
        {
            "year": year,
            "enterprises": {"profit": Decimal("84600") + year},
            "labor_bases": {"profit": Decimal("74450")},
            "logistics": {"profit": Decimal(0)},
        }
        for year in (2022, 2023, 2024)
    ]


def test_chart_svg_has_no_tooltip_data_and_keeps_value_labels():
    svg = charts.profit_by_source(_rows())
    assert "<desc" not in svg and "<script" not in svg
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    # Each bar's printed value (万元, as the table prints it) is still drawn text.
    for year in (2022, 2023, 2024):
        assert charts.FORMATS["wan"](Decimal("84600") + year) in texts
    assert texts.count("7.45") == 3  # the labor bases' bars
    assert "2022" in texts and "校办企业利润" in texts
    assert "服务中心及中考食宿" not in svg  # an empty series is left out


def test_trace_marks_stay_in_drawn_text():
    svg = charts.profit_by_source(_rows(), trace=True)
    assert "<desc" not in svg
    assert re.search(r"<text[^>]*>\[#income\.enterprises\.profit\.2024=[^<]*#\]</text>", svg)


def _pdf_text(content: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_pdf_gets_each_chart_as_an_image_of_the_same_svg_with_the_same_text():
    from reports import pdf, weasy

    svg = charts.profit_by_source(_rows())
    html = ('<link rel="stylesheet" href="/static/reports/css/summary-pdf.css">'
            f'<p>图1</p><figure class="chart">{svg}</figure><p>后文</p>')
    fetcher = pdf.static_only_fetcher()
    passed = pdf.charts_as_images(html, fetcher)
    assert "<svg" not in passed and passed.count('<img class="chart"') == 1
    [(url, body)] = fetcher.images.items()
    assert url.startswith(f"{pdf.PDF_ORIGIN}/charts/") and body == svg.encode()
    as_image = pdf.html_to_pdf(html, fetcher=fetcher)
    assert url in fetcher.served and fetcher.refused == []
    inline = weasy.load().HTML(string=html, base_url=pdf.PDF_ORIGIN + "/",
                               url_fetcher=pdf.static_only_fetcher()).write_pdf()
    text = _pdf_text(as_image)
    assert text == _pdf_text(inline)  # every label drawn, in the same order
    for year in (2022, 2023, 2024):
        assert charts.FORMATS["wan"](Decimal("84600") + year) in text


def test_only_the_charts_of_the_document_are_served_and_a_broken_one_stays_inline():
    import pytest

    from reports import pdf

    fetcher = pdf.static_only_fetcher()
    with pytest.raises(ValueError):
        fetcher.fetch(f"{pdf.PDF_ORIGIN}/charts/{'0' * 20}.svg")  # nothing registered: refused
    broken = '<figure class="chart"><svg class="pygal-chart" viewBox="0 0 10 10"><text>a &nbsp; b</text></svg></figure>'
    assert pdf.charts_as_images(broken, fetcher) == broken
    elsewhere = f"<div>{charts.profit_by_source(_rows())}</div>"  # e.g. the county comparison's, sized by its own style
    assert pdf.charts_as_images(elsewhere, fetcher) == elsewhere
    assert fetcher.images == {}
    assert pdf.charts_as_images("<p>x</p>", object()) == "<p>x</p>"  # a fetcher that cannot serve them


def _draw_all(land, income, claims, years, trace):
    return (charts.land_by_type(land, trace), charts.profit_by_source(income, trace),
            charts.claims_by_type(claims, years, trace))


def _fresh(*args):
    for drawn in (charts._land, charts._income, charts._claims):
        drawn.cache_clear()
    return _draw_all(*args)


_amounts = st.one_of(st.none(), st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))


@settings(max_examples=40, deadline=None)
@given(
    areas=st.lists(st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False), min_size=0, max_size=4),
    profits=st.lists(st.tuples(_amounts, _amounts, _amounts), min_size=1, max_size=3),
    paid=st.lists(st.tuples(st.sampled_from([2023, 2024]), st.sampled_from(["a", "b"]), _amounts), max_size=4),
    trace=st.booleans(),
)
def test_a_chart_kept_from_an_earlier_drawing_is_the_one_its_data_draws_now(areas, profits, paid, trace):
    """Charts are kept per process by their data: whatever was drawn before, each one is what
    drawing its data afresh gives, and a chart whose data did not change is not drawn again."""
    land = [{"label": f"地类{n}", "land_type": f"t{n}", "area_mu": area} for n, area in enumerate(areas)]
    income = [{"year": 2022 + n, "enterprises": {"profit": e}, "labor_bases": {"profit": b},
               "logistics": {"profit": g}} for n, (e, b, g) in enumerate(profits)]
    claims = [{"year": y, "policy_type": t, "label": f"险种{t}", "paid_total": amount} for y, t, amount in paid]
    args = (land, income, claims, [2023, 2024], trace)
    kept = _draw_all(*args)  # possibly from earlier examples' drawings
    assert kept == _fresh(*args)
    before = charts._land.cache_info().hits
    changed = [dict(row, area_mu=(row["area_mu"] or 0) + 1) for row in land]
    assert _draw_all(changed, income, claims, [2023, 2024], trace)[1:] == kept[1:]  # the others kept
    if land:
        assert charts._land.cache_info().hits == before  # the land chart drawn again, for its new data
        assert charts.land_by_type(changed, trace) != kept[0]
