"""Numbers into the words of a bureau document, always from the exact stored value.

``to_wan`` is THE rounding helper for 万元 (Decimal, 2 places, half up). The approximate
forms (“1000余”, “十余万元”, “两至三所”, “约890亩”) are derived here and never stored.
"""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from workstudy import money as _money
from workstudy.money import CENT, WAN, ZERO  # noqa: F401  (re-exported)

_DIGITS = "零一二三四五六七八九"


# A sentence names at most this many schools or enterprises and ends the list with 等 (a
# province has hundreds; the table or the workbook has the rest).
NAMED_IN_TEXT = 10


def named(values) -> list:
    """The items a sentence names: the first :data:`NAMED_IN_TEXT`."""
    return list(values or [])[:NAMED_IN_TEXT]


def has_more(values) -> bool:
    return len(values or []) > NAMED_IN_TEXT


def dec(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def money(value) -> Decimal | None:
    """元 with 2 decimals (workstudy.money's rounding helper)."""
    return None if value is None else _money.round_money(value)


def to_wan(yuan) -> Decimal | None:
    """元 -> 万元, 2 decimals, half up (workstudy.money's rule)."""
    return None if yuan is None else _money.to_wan(yuan)


def num(value) -> str:
    """A Decimal without trailing zeros, thousands separated: 210.00 -> '210', 12.50 -> '12.5',
    1110 -> '1,110'."""
    if value is None:
        return ""
    d = dec(value)
    if d == d.to_integral_value():
        return f"{d.quantize(Decimal(1)):,}"
    return f"{d.normalize():,f}"


def count(value) -> str:
    """A whole number of people, items or times: 22768 -> '22,768' ('' for None)."""
    return "" if value is None else f"{int(value):,}"


def yuan(value) -> str:
    """36000 -> '36,000.00' (元 in tables)."""
    return _money.format_yuan(value, empty="")


def wan(value) -> str:
    """元 -> '3.60', 12345678 -> '1,234.57' (万元, 2 decimals, thousands separated everywhere)."""
    return "" if value is None else f"{to_wan(value):,.2f}"


def cn_int(n: int, *, liang: bool = False) -> str:
    """0..99999999 in Chinese numerals; ``liang`` writes a counted 2 as 两 (两所, 两家)."""
    n = int(n)
    if n < 0:
        return "负" + cn_int(-n)
    if n == 2 and liang:
        return "两"
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n >= 10000:
        high, low = divmod(n, 10000)
        rest = cn_int(low) if low else ""
        if rest and low < 1000:
            rest = "零" + rest
        return cn_int(high) + "万" + rest
    units = [(1000, "千"), (100, "百"), (10, "十"), (1, "")]
    out, zero = "", False
    for size, unit in units:
        digit = (n // size) % 10
        if digit:
            if zero and out:
                out += "零"
            out += _DIGITS[digit] + unit
            zero = False
        elif out:
            zero = True
    return out


def approx_count(n: int | None) -> str:
    """1046 -> '1,000余', 106 -> '100余', 13 -> '13', 1000 -> '1,000'."""
    if n is None:
        return ""
    n = int(n)
    if n < 100:
        return str(n)
    magnitude = 10 ** (len(str(n)) - 1)
    base = n // magnitude * magnitude
    return f"{n:,}" if base == n else f"{base:,}余"


def approx_yuan(value) -> str:
    """元 -> words: 150000 -> '十余万元', 25600 -> '2万余元', 9600 -> '约9,600元'."""
    if value is None:
        return ""
    d = dec(value)
    if d < 0:
        return f"{money(d)}元"
    if d < WAN:
        return f"约{int(d.quantize(Decimal(100), rounding=ROUND_HALF_UP)):,}元"
    w = d / WAN
    if w < 10:
        whole = int(w.to_integral_value(rounding=ROUND_DOWN))
        return f"{whole}万元" if w == whole else f"{whole}万余元"
    for size, unit in ((1000, "千"), (100, "百"), (10, "十")):
        if w >= size:
            lead = int((w / size).to_integral_value(rounding=ROUND_DOWN))
            if lead >= 10:
                break
            words = ("" if lead == 1 else _DIGITS[lead]) + unit
            return f"{words}万元" if w == lead * size else f"{words}余万元"
    return f"约{num(to_wan(d).quantize(Decimal(1), rounding=ROUND_HALF_UP))}万元"


def about(value, unit: str = "") -> str:
    """'约890亩': integers from 100 up, one decimal below."""
    if value is None:
        return ""
    d = dec(value)
    shown = d.quantize(Decimal(1) if abs(d) >= 100 else Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"约{num(shown)}{unit}"


def range_words(low: int, high: int, unit: str = "") -> str:
    """(2, 3, '所') -> '两至三所'; (3, 3, '所') -> '三所'."""
    low, high = sorted((int(low), int(high)))
    if low == high:
        return f"{cn_int(low, liang=True)}{unit}"
    return f"{cn_int(low, liang=True)}至{cn_int(high, liang=True)}{unit}"


pct_change = _money.pct_change  # one formula for the summary and the review screen


# -- prose: what the generator does so the document reads as one hand wrote it ---------------

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACE_BY_HAN = re.compile(rf"(?<=[{_HAN}])[ \t\u00a0]+|[ \t\u00a0]+(?=[{_HAN}])")
_BRACKETED = re.compile(r"[（(]([^（）()]*)[）)]")
_ORDINAL_OPENER = re.compile(r"^\s*([一二三四五六七八九十]+)是")


def unique(values) -> list:
    """The items once each, in their first order, blanks dropped: a list never names one twice."""
    seen, out = set(), []
    for value in values or []:
        key = str(value).strip()
        if key and key not in seen:
            seen.add(key)
            out.append(value)
    return out


def tight(text) -> str:
    """No half-width space between Chinese and anything else ("全市 27 所" -> "全市27所"):
    text written with the Western habit (a rule's message, a pasted narrative) as a Chinese
    document prints it."""
    return _SPACE_BY_HAN.sub("", str(text or ""))


_BARE_NUMBER = re.compile(r"(?<![0-9A-Za-z.,:/\-〔#_])([0-9]{4,})(\.[0-9]+)?(?![0-9A-Za-z,:/\-〕_])")


def separated(text) -> str:
    """Thousands separators in the numbers of a text ("合计1123.00元" -> "合计1,123.00元"); a year
    (1900-2100 without decimals), a date, a code or a document number is left alone."""

    def one(match):
        whole, decimals = match.group(1), match.group(2) or ""
        if not decimals and 1900 <= int(whole) <= 2100:
            return match.group(0)
        return f"{int(whole):,}{decimals}"

    return _BARE_NUMBER.sub(one, str(text or ""))


def prose(text) -> str:
    """Text that comes from the data (a rule's message, a narrative) as the document prints it:
    :func:`tight` and :func:`separated`."""
    return separated(tight(text))


def flat(text, *said) -> str:
    """``text`` for use inside one pair of brackets: bracketed parts it contains lose their
    brackets ("A（B）" -> "A，B"), and parts that only repeat ``said`` (what the sentence already
    says) are dropped. Brackets never nest, nothing is said twice."""
    said = [str(s) for s in said if s]

    def inner(match):
        part = match.group(1).strip()
        return "" if not part or part in said else f"，{part}"

    previous = None
    text = str(text or "")
    while previous != text:
        previous, text = text, _BRACKETED.sub(inner, text)
    text = text.strip("，、；; ")
    return "" if text in said else text


def ordinal(n: int) -> str:
    """1 -> '一是', 2 -> '二是' (the items of an enumeration)."""
    return f"{cn_int(n)}是"


def ordinal_count(paragraphs) -> int:
    """How many paragraphs open with an enumeration ordinal (一是…, 二是…)."""
    return sum(1 for p in paragraphs or [] if _ORDINAL_OPENER.match(p))


def enumerate_items(keys, start: int = 0) -> dict:
    """Ordinals for the generated items ``keys`` continuing ``start`` ordinals already printed:
    ``{key: '二是'}``; every key gets '' when the whole enumeration would have one item
    (一是 without 二是 is not an enumeration)."""
    keys = list(keys)
    if start + len(keys) < 2:
        return dict.fromkeys(keys, "")
    return {key: ordinal(start + i + 1) for i, key in enumerate(keys)}


_HEADING_NUMBER = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[㈠-㈩]|（[一二三四五六七八九十]+）|\d+[.、．])\s*")


def unnumbered(label) -> str:
    """A heading's text without its number ("㈠ 校办企业改制" -> "校办企业改制"), to name it in a sentence."""
    return _HEADING_NUMBER.sub("", str(label))


def product_name(product: str, grade: str) -> str:
    """A graded product named once: 一级嫩茶 (not 一级嫩茶茶叶), 嫁接桔苗 (not 嫁接苗桔苗), 一级大米.

    A grade that already ends in the product's kind (茶 of 茶叶, 苗 of 桔苗) is merged with it."""
    product, grade = (product or "").strip(), (grade or "").strip()
    if not grade:
        return product
    if not product or product in grade:
        return grade
    if grade[-1] == product[-1]:
        return grade[:-1] + product
    if grade[-1] == product[0]:
        return grade
    return grade + product


def plot_name(label: str, crop: str) -> str:
    """A plot's land type with its crop in brackets only when the crop says something more:
    湿地松 (not 湿地松（湿地松）), 茶园 (not 茶园（茶）), 果园（桔）."""
    label, crop = (label or "").strip(), (crop or "").strip()
    if not crop or crop in label or label in crop:
        return label or crop
    return f"{label}（{crop}）"
