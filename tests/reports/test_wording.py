from decimal import Decimal

import pytest

from reports import wording as w


@pytest.mark.parametrize("n, text", [(1046, "1,000余"), (106, "100余"), (13, "13"), (1000, "1,000"), (2300, "2,000余"),
                                     (None, "")])
def test_approx_count(n, text):
    assert w.approx_count(n) == text


@pytest.mark.parametrize("yuan, text", [
    (Decimal("150000"), "十余万元"), (Decimal("100000"), "十万元"), (Decimal("199999.99"), "十余万元"),
    (Decimal("25600"), "2万余元"), (Decimal("20000"), "2万元"), (Decimal("9600"), "约9,600元"),
    (Decimal("350000"), "三十余万元"), (Decimal("1250000"), "百余万元"), (Decimal("23000000"), "二千余万元"),
])
def test_approx_yuan(yuan, text):
    assert w.approx_yuan(yuan) == text


def test_to_wan_is_decimal_half_up():
    assert w.to_wan(Decimal("12345")) == Decimal("1.23")
    assert w.to_wan(Decimal("12350")) == Decimal("1.24")
    assert w.to_wan(Decimal("65800")) == Decimal("6.58")
    assert isinstance(w.to_wan(1), Decimal)
    assert w.to_wan(None) is None
    assert w.wan(Decimal("1051800.00")) == "105.18"
    assert w.wan(Decimal("12345678")) == "1,234.57"  # thousands separated in text and tables alike


@pytest.mark.parametrize("n, text", [(5, "五"), (10, "十"), (15, "十五"), (20, "二十"), (105, "一百零五"), (174, "一百七十四"),
                                     (2008, "二千零八"), (10001, "一万零一")])
def test_cn_int(n, text):
    assert w.cn_int(n) == text


def test_range_and_about():
    assert w.range_words(2, 3, "所") == "两至三所"
    assert w.range_words(3, 3, "所") == "三所"
    assert w.about(Decimal("890.4"), "亩") == "约890亩"
    assert w.num(Decimal("210.00")) == "210"
    assert w.num(Decimal("12.50")) == "12.5"
    assert w.num(Decimal("1110.00")) == "1,110" and w.num(Decimal("2400.5")) == "2,400.5"
    assert w.count(22768) == "22,768" and w.count(None) == ""
    assert w.pct_change(Decimal("100"), Decimal("150")) == Decimal("50.0")
    assert w.pct_change(0, 5) is None


def test_prose_of_data_text():
    """A rule's message or a narrative as the document prints it: no half-width space beside
    Chinese, thousands separators; years, dates, codes and document numbers untouched."""
    assert w.prose("2024 年各地块面积合计 1076.00 亩") == "2024年各地块面积合计1,076.00亩"
    assert w.prose("保单POL000005各经费来源合计1123.00元，与保费合计1000.00元不一致") == (
        "保单POL000005各经费来源合计1,123.00元，与保费合计1,000.00元不一致")
    assert w.prose("赣教勤字〔2008〕3号，2021-2024年，2026-12-05，共22768人") == (
        "赣教勤字〔2008〕3号，2021-2024年，2026-12-05，共22,768人")


def test_lists_brackets_and_enumerations():
    assert w.unique(["体育器材", "运动服装", "体育器材", "", "运动服装"]) == ["体育器材", "运动服装"]
    assert w.flat("自建仓库及店面（十余万元）", "仓库及店面", "十余万元") == "自建仓库及店面"
    assert w.flat("甲（乙（丙））") == "甲，乙，丙"
    assert w.enumerate_items(["funding", "operation"], 1) == {"funding": "二是", "operation": "三是"}
    assert w.enumerate_items(["centre"]) == {"centre": ""}
    assert w.ordinal_count(["一是加强宣传。", "统一管理以后"]) == 1
    assert w.unnumbered("㈠ 校办企业改制") == "校办企业改制" and w.unnumbered("三、今后努力方向") == "今后努力方向"
