"""The document checks of tests/reports/document.py catch each kind of defect a document has shown
(a check that cannot fail proves nothing), and accept the document's correct forms."""

import pytest

from tests.reports import document as doc


def _pages(*lines):
    return ["\n".join(lines)]


@pytest.mark.parametrize("text", [
    "经营体育器材、运动服装、文化办公用品、体育器材、文化办公用品、运动服装，配备送货车辆一辆",
    "学校组织学生采茶、制茶、采茶。",
])
def test_a_repeated_list_item_is_found(text):
    assert doc.repeated_list_items(text)


def test_a_list_without_repeats_passes():
    assert not doc.repeated_list_items("经营体育器材、运动服装、文化办公用品，配备送货车辆一辆。果园（桃、梨）、粮田（水稻）")


@pytest.mark.parametrize("text", ["投资十余万元仓库及店面（自建仓库及店面（十余万元））", "工龄买断（涉及职工(174)名）"])
def test_nested_brackets_are_found(text):
    assert doc.nested_brackets(text)


def test_one_bracket_level_passes():
    assert not doc.nested_brackets("（贵教字〔2016〕12号）及工龄买断（涉及职工174名，三百余万元）；学生平安险(学平险)")


@pytest.mark.parametrize("text", ["教育印刷厂实施改制：改制（涉及职工174名）", "60亩湿地松（湿地松）", "我们我们坚持自愿原则"])
def test_a_doubled_word_is_found(text):
    assert doc.doubled_words(text)


def test_no_doubled_word_passes():
    assert not doc.doubled_words("60亩湿地松（松脂）、35亩果园（桃、梨）。2019年6月，教育印刷厂实施改制：资产拍卖")


def test_a_broken_enumeration_is_found():
    assert doc.broken_enumerations(_pages("㈣服务教育。", "一是加强宣传和发动。", "落实经费保障：学校财产险…"))
    assert doc.broken_enumerations(_pages("㈢不断创新。", "一是立足市场。", "三是在服务中开辟新的市场。"))
    assert not doc.broken_enumerations(_pages("㈣服务教育。", "一是加强宣传和发动。", "二是落实经费保障。",
                                              "三是规范化运作。", "㈤另一节。", "没有列举。"))


def test_heading_styles_are_checked():
    cover, body = "贵溪市2024年度\n学校勤工俭学工作总结", "一、基本情况\n二、具体做法\n㈠校办企业\n附录一 数据质量说明\n"
    assert not doc.heading_problems([cover, body])
    assert doc.heading_problems([cover, body + "（一）尚未审核通过的学校填报"])
    assert doc.heading_problems([cover, body + "三、存在的不足\n三、今后努力方向"])


@pytest.mark.parametrize("line", ["全市 27 所学校中有 23 所建有劳动基地", "基地总面积由上年 15.00 亩变为", "（6 所）"])
def test_a_half_width_space_between_chinese_and_a_number_is_found(line):
    assert doc.spaces_between_han_and_numbers(_pages(line))


def test_tight_chinese_and_numbers_pass():
    assert not doc.spaces_between_han_and_numbers(_pages("全市27所学校中有23所建有劳动基地", "GX001 樟坪中心学校"))


@pytest.mark.parametrize("line", ["共有劳动基地1110亩", "收入260250元", "利润1234.5万元", "达1234.56万元", "家长自付 16936"])
def test_missing_thousands_separators_are_found(line):
    assert doc.separator_problems(_pages(line))


def test_separated_numbers_years_and_codes_pass():
    assert not doc.separator_problems(_pages(
        "共有劳动基地1,110亩，2024年收入260,250元，达1,234.56万元，赣教勤字〔2008〕3号", "2021-2024年",
        "生成时间 2026-12-05 13:59:42", "f52791615eab1bc7abe19ee6ad00ce96c074404114db84a85694d9f1cff30ec7"))


def test_conflicting_values_of_one_key_are_found():
    found = {"coverage.insured_parent_paid": ["17476", "16936"], "land_total": ["1110.00", "1110.00"]}
    assert doc.conflicts(found) == {"coverage.insured_parent_paid": {"17476", "16936"}}
