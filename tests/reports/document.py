"""Reading a generated document back, for the tests/reports/test_document_*.py tests.

The PDF is read with pdftotext (its text in reading order, one page per form feed). The
checks are generic: they know nothing of the demo's wording, only of how a Chinese bureau
document is written (no list names an item twice, one bracket level, no doubled word, an
enumeration 一是 … has a 二是, one heading style, no half-width space between Chinese and
numbers, thousands separators, 万元 with 2 decimals).

Every quantity the document may print more than once is printed through ``{% q %}`` or
``{% fig %}`` under a key; rendered with ``trace`` those print ``[#key=value#]`` instead, and
:func:`quantities` collects them from the PDF text.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from collections import defaultdict

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CN_DIGITS = "一二三四五六七八九十"


# -- rendering and reading ------------------------------------------------------------


def pdf_pages(content: bytes) -> list[str]:
    """The text of each page (pdftotext, reading order)."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True)
    pages = out.stdout.decode("utf-8").split("\f")
    return [p for p in pages if p.strip()]


def summary_pdf(year: int, *, trace: bool = False, county=None) -> bytes:
    """The summary PDF as build_summary makes it (``trace``: quantities printed with their keys),
    of ``county`` when given, else of the whole deployment."""
    from reports import charts, figures, pdf

    summary = figures.compute(year, county)
    if not trace:
        return pdf.html_to_pdf(pdf.summary_html_for_pdf(summary))
    context = pdf.document_context(summary, pdf=True)
    context.update(trace=True, charts=charts.all_charts(summary, trace=True),
                   running_header_css=pdf.css_string(f"{summary.bureau} · {summary.year}年度学校勤工俭学工作总结"))
    return pdf.html_to_pdf(pdf.render_document("reports/summary_pdf.html", context))


def sheet_pdf(year: int, school, *, trace: bool = False) -> bytes:
    from reports import pdf, sheets

    if not trace:
        return pdf.school_sheet_pdf(year, school)
    context = sheets.school_sheet_context(year, school)
    context.update(trace=True, running_header_css=pdf.css_string("trace"))
    return pdf.html_to_pdf(pdf.render_document("reports/school_sheet_pdf.html", context))


_MARK = re.compile(r"\[#([^=\[\]#]+)=([^#\[\]]*)#\]")


def quantities(*pdfs: bytes) -> dict[str, list[str]]:
    """Every ``[#key=value#]`` printed in the given trace PDFs: ``{key: [value of each print]}``."""
    found: dict[str, list[str]] = defaultdict(list)
    for content in pdfs:
        text = re.sub(r"\s+", "", "".join(pdf_pages(content)))
        for key, value in _MARK.findall(text):
            found[key].append(value)
    return dict(found)


def conflicts(found: dict[str, list[str]]) -> dict[str, set[str]]:
    """The keys printed with more than one value."""
    return {key: set(values) for key, values in found.items() if len(set(values)) > 1}


# -- the prose checks -----------------------------------------------------------------


def _width(line: str) -> int:
    """A line's printed width in half-width cells (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def flow(pages: list[str]) -> str:
    """The text as running prose, one paragraph or table cell a line: a line filling the page's
    width continues on the next (a Chinese line break is no space); a shorter one ends a
    paragraph, and each table cell stays on its own line."""
    out = []
    for page in pages:
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        width = max((_width(line) for line in lines), default=0)
        text = ""
        for line in lines:
            text += line + ("" if _width(line) >= 0.9 * width else "\n")
        out.append(text)
    return "\f".join(out)


def without_examples(text: str) -> str:
    """The flowing text without the examples paragraphs (如…学校…, 又如…): the examples block
    is checked on its own (tests/reports/test_document_demo.py)."""
    return "\n".join(line for line in text.split("\n") if not re.match(r"^\f?(又如|如)", line))


def body_pages(pages: list[str]) -> list[str]:
    """The pages without the cover and the table of contents (whose lines repeat the headings)."""
    return [p for p in pages[1:] if not re.search(r"目\s*录", p)]


def repeated_list_items(text: str) -> list[str]:
    """Lists (items separated by 、 within one clause) that name one item twice."""
    found = []
    for clause in re.split(r"[。；;！？\n\f：:，,]", text):
        items = [i.strip("（）() ") for i in clause.split("、")]
        if len(items) > 1:
            # The first item carries the words that open the list ("经营体育器材"): it repeats a
            # later item when it ends with it.
            later = items[1:]
            if len(set(later)) < len(later) or any(items[0].endswith(item) for item in later if item):
                found.append(clause)
    return found


def nested_brackets(text: str) -> list[str]:
    """Places where a bracket opens inside another (（…（…）…） or (…(…)…))."""
    found = []
    for sentence in re.split(r"[。\f]", text):
        depth = 0
        for i, ch in enumerate(sentence):
            if ch in "（(":
                depth += 1
                if depth > 1:
                    found.append(sentence[max(0, i - 30): i + 30])
                    break
            elif ch in "）)":
                depth = max(0, depth - 1)
    return found


_DOUBLED = (
    re.compile(rf"([{HAN}]{{2,}})\1"),  # 改制改制
    re.compile(rf"([{HAN}]{{2,}})[：:]\1"),  # 改制：改制
    re.compile(rf"([{HAN}]{{2,}})[（(]\1[）)]"),  # 湿地松（湿地松）
)


def doubled_words(text: str) -> list[str]:
    found = []
    for pattern in _DOUBLED:
        found += [m.group(0) for m in pattern.finditer(text)]
    return found


_ORDINAL = re.compile(rf"(?:^|[。！？\n])([{CN_DIGITS}]+)是(?=[{HAN}])")
_HEADING = re.compile(rf"^\s*(?:[{CN_DIGITS}]+、|[㈠-㈩]|附录)")


def broken_enumerations(pages: list[str]) -> list[str]:
    """Sections whose 一是/二是… are not 一, 二, 三 … in order with at least two items."""
    sections, current = [], []
    for page in pages:
        for line in page.splitlines():
            if _HEADING.match(line):
                sections.append(current)
                current = []
            current.append(line.strip())
    sections.append(current)
    found = []
    numbers = {d: i for i, d in enumerate(CN_DIGITS, start=1)}
    for lines in sections:
        text = "\n".join(lines)  # a page's running header may stand between two items
        ordinals = [numbers.get(m.group(1), 0) for m in _ORDINAL.finditer(text)]
        if ordinals and (ordinals != list(range(1, len(ordinals) + 1)) or len(ordinals) < 2):
            found.append(f"{lines[0] if lines else ''}: {ordinals}")
    return found


def heading_problems(pages: list[str]) -> list[str]:
    """One numbering style (一、 ㈠ 1.): no （一） headings, each top-level number once and in order."""
    found, top = [], []
    for page in body_pages(pages):
        for line in page.splitlines():
            line = line.strip()
            if re.match(rf"^（[{CN_DIGITS}]+）", line):
                found.append(f"（一）-style heading: {line}")
            m = re.match(rf"^([{CN_DIGITS}]+)、", line)
            if m:
                top.append(m.group(1))
    numbers = [CN_DIGITS.index(t) + 1 for t in top if len(t) == 1]
    if numbers != list(range(1, len(numbers) + 1)):
        found.append(f"top-level headings out of order or repeated: {top}")
    return found


# A number (digits, separators, a date or a time, a percentage) next to Chinese with a space
# between; a code such as GX001 or a hash is not a number.
_NUMBER = r"[0-9][0-9,.:%\-]*"
_SPACE_NUMBER = re.compile(
    rf"[{HAN}][ \u00a0]+{_NUMBER}(?![0-9A-Za-z])|(?<![0-9A-Za-z_.\-]){_NUMBER}[ \u00a0]+[{HAN}]")


def spaces_between_han_and_numbers(pages: list[str]) -> list[str]:
    found = []
    for page in pages:
        for line in page.splitlines():
            found += [f"{m.group(0)!r} in {line.strip()!r}" for m in _SPACE_NUMBER.finditer(line)]
    return found


_LONG_NUMBER = re.compile(r"(?<![0-9A-Za-z.,:/\-〔#=_])([0-9]{4,})(?![0-9A-Za-z,:/\-〕])")
_WAN = re.compile(r"(?<![0-9A-Za-z.,])([0-9][0-9,]*(?:\.[0-9]+)?)万元")


def separator_problems(pages: list[str]) -> list[str]:
    """Numbers of 4+ digits without thousands separators (years 1900-2100 excepted), and 万元
    not written with 2 decimals and separators."""
    found = []
    for page in pages:
        for line in page.splitlines():
            for m in _LONG_NUMBER.finditer(line):
                if not 1900 <= int(m.group(1)) <= 2100:
                    found.append(f"{m.group(1)} in {line.strip()!r}")
            for m in _WAN.finditer(line):
                if not re.fullmatch(r"[0-9]{1,3}(?:,[0-9]{3})*\.[0-9]{2}", m.group(1)):
                    found.append(f"{m.group(0)} in {line.strip()!r}")
    return found


def prose_problems(content: bytes, *, summary: bool = True, examples: bool = True) -> dict[str, list[str]]:
    """Every generic defect found in a PDF, by check (empty lists: none); ``examples=False``
    leaves the examples paragraphs out of the checks on the flowing text."""
    pages = pdf_pages(content)
    text = flow(body_pages(pages) if summary else pages)
    if not examples:
        text = without_examples(text)
    problems = {
        "repeated list item": repeated_list_items(text),
        "nested brackets": nested_brackets(text),
        "doubled word": doubled_words(text),
        "broken enumeration": broken_enumerations(body_pages(pages) if summary else pages),
        "half-width space between Chinese and a number": spaces_between_han_and_numbers(pages),
        "thousands separators / 万元": separator_problems(pages),
    }
    if summary:
        problems["heading numbering"] = heading_problems(pages)
    return {check: found for check, found in problems.items() if found}
