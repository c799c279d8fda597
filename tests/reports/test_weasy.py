"""reports.weasy: WeasyPrint with its C declarations parsed once (prebuilt), and the plain
import as the fallback, give the same PDF. Each case runs in a fresh interpreter, because the
test process has imported WeasyPrint already."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

CHILD = r"""
import json, os, sys
import django
django.setup()
from reports import pdf, weasy
content = pdf.html_to_pdf('<html><body><p style="font-family: \'Report Serif\'">勤工俭学总收益年均达186.20万元</p>'
                          '<link rel="stylesheet" href="/static/reports/css/summary-pdf.css"></body></html>')
open(sys.argv[1], "wb").write(content)
print(json.dumps(weasy.state))
"""


def _render(tmp_path: Path, cache: Path, name: str) -> tuple[dict, Path]:
    out = tmp_path / f"{name}.pdf"
    env = {**os.environ, "WEASYPRINT_FFI_CACHE": str(cache), "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run([sys.executable, "-c", CHILD, str(out)], cwd=settings.BASE_DIR, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), out


def _text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _fonts(path: Path) -> str:
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


def test_prebuilt_and_plain_give_the_same_pdf(tmp_path):
    cache = tmp_path / "cache"
    state, first = _render(tmp_path, cache, "first")
    assert state == {"mode": "prebuilt", "reason": ""}
    [module] = cache.glob("_weasyprint_ffi_*.py")
    written = module.stat().st_mtime_ns

    state, second = _render(tmp_path, cache, "second")  # reuses the module, does not rewrite it
    assert state["mode"] == "prebuilt" and module.stat().st_mtime_ns == written

    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the cache directory should be")
    state, plain = _render(tmp_path, blocked / "cache", "plain")  # cannot write: the slow import, still works
    assert state["mode"] == "plain" and state["reason"]

    for path in (first, second, plain):
        assert "勤工俭学总收益年均达186.20万元" in _text(path)
        assert "Report-Serif " in _fonts(path) and "yes yes yes" in _fonts(path)  # embedded subset
    assert _text(first) == _text(plain) and _fonts(first) == _fonts(plain)


def test_pdf_templates_load_only_their_own_tag_libraries():
    """The PDF documents compile with an engine holding only the libraries they load; the
    site's engine would import every app's tags (REST framework's pull in requests, yaml, pygments)."""
    code = ("import django, sys; django.setup(); from reports import pdf; "
            "[pdf._engine().get_template(t) for t in ('reports/summary_pdf.html', 'reports/school_sheet_pdf.html')]; "
            "print(sorted(m for m in ('rest_framework.templatetags.rest_framework', 'requests', 'yaml', 'pygments', "
            "'django.contrib.admin.templatetags.admin_list') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, capture_output=True, text=True,
                          env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_web_workers_load_weasyprint_at_start():
    code = "import sys, config.wsgi; from reports import weasy; print('weasyprint' in sys.modules, weasy.state['mode'])"
    done = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, capture_output=True, text=True,
                          env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] in ("True prebuilt", "True plain")


DEFERRED_CHILD = r"""
import json, sys
import django
django.setup()
from reports import pdf, weasy
content = pdf.html_to_pdf('<p style="font-family: \'Report Serif\'">补贴教育经费</p>'
                          '<link rel="stylesheet" href="/static/reports/css/summary-pdf.css">')
report = {"pdf": content[:5].decode(), "loaded_after_pdf": sorted(m for m in weasy.DEFERRED if m in sys.modules)}
from weasyprint.pdf import fonts
report["options"] = fonts.subset.Options.__module__  # first use: the real subsetter
import fontTools.subset
report["same_module"] = fontTools.subset.Options is fonts.subset.Options
try:
    fonts.instantiateVariableFont(None, {})
except Exception as exc:
    report["instancer"] = type(exc).__name__
report["loaded_at_end"] = sorted(m for m in weasy.DEFERRED if m in sys.modules)
print(json.dumps(report))
"""


def test_font_tools_loaded_only_when_used(tmp_path):
    """WeasyPrint starts without fontTools' subsetter and instancer (the portal's fonts never
    need them); the first use of either loads the real module, and later imports get it."""
    env = {**os.environ, "WEASYPRINT_FFI_CACHE": str(tmp_path / "cache"), "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run([sys.executable, "-c", DEFERRED_CHILD], cwd=settings.BASE_DIR, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["pdf"] == "%PDF-" and report["loaded_after_pdf"] == []
    assert report["options"] == "fontTools.subset" and report["same_module"] is True
    assert report["instancer"] in ("AttributeError", "TypeError")  # the real function, given nothing
    assert report["loaded_at_end"] == ["fontTools.subset", "fontTools.varLib.instancer"]
