"""The naive summary PDF the portal's is measured against: the same HTML, on the stock Noto CJK
fonts (no bundled subset, no ``@font-face``), through WeasyPrint as installed.

What it shares with the portal's build is only the document: the figures, the HTML and the
charts as images (the same drawing). The process around WeasyPrint is WeasyPrint's own: a plain
``import weasyprint`` (not ``reports.weasy.load``) and no heap freeze
(``reports.pdf.freeze_heap_once``). Used by the benchmark's cold child (``bench/measure.py``)
and by ``scripts/pdf_profile.py``, so both report the same ratio.
"""

from __future__ import annotations


def naive_summary_pdf(summary) -> bytes:
    import weasyprint  # as installed, before anything of the portal's could load it otherwise

    from reports import pdf

    html = pdf.summary_html_for_pdf(summary, naive_fonts=True)
    return pdf.weasyprint_html(html, pdf.static_only_fetcher(), weasyprint).write_pdf()
