"""The PDF fetcher reads collected static files under their hashed production names.

In production ManifestStaticFilesStorage serves ``summary-pdf.<hash>.css``, which exists only in
STATIC_ROOT; the fetcher refused it and the summary printed in fallback fonts, unstyled
(scripts/prod_check.sh found it). Outside STATIC_ROOT and the static folders nothing is served.
"""

import pytest

from reports.pdf import PDF_ORIGIN, RefusedURL, static_only_fetcher


@pytest.fixture
def collected(tmp_path, settings):
    css = tmp_path / "static" / "reports" / "css" / "summary-pdf.0123456789ab.css"
    css.parent.mkdir(parents=True)
    css.write_text("body { color: #333 }", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("not static", encoding="utf-8")
    settings.STATIC_ROOT = str(tmp_path / "static")
    return css


def test_hashed_name_in_static_root_is_served(collected):
    fetcher = static_only_fetcher()
    response = fetcher.fetch(f"{PDF_ORIGIN}/static/reports/css/{collected.name}")
    assert fetcher.refused == []
    assert fetcher.served == [f"{PDF_ORIGIN}/static/reports/css/{collected.name}"]
    assert b"color: #333" in response.read()


@pytest.mark.parametrize(
    "path",
    ["/static/../secret.txt", "/static/reports/css/missing.0123456789ab.css", "/static//etc/passwd", "/secret.txt"],
)
def test_nothing_outside_static_is_served(collected, path):
    fetcher = static_only_fetcher()
    with pytest.raises(RefusedURL):
        fetcher.fetch(PDF_ORIGIN + path)
    assert fetcher.served == []
