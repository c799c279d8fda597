"""The English translation (locale/en/LC_MESSAGES/django.po, compiled to django.mo).

Two kinds of checks:

* pages: with English chosen (the header's language switch posts to /i18n/setlang/, or the
  browser sends ``Accept-Language: en``), the login page, the dashboards, the rules page and
  each module's index render in English. The only Chinese left on them must be data (school
  names, townships, the bureau's name, a user's name) and the language switch's own
  "简体中文" button.
* catalogue: every msgid in the committed .po has a non-empty, non-fuzzy translation with
  the same placeholders, the committed .mo matches the .po, and (when gettext is installed)
  no string in the source is missing from the .po. A new, untranslated UI string therefore
  fails this suite: run ``make messages`` (or the makemessages line in
  ``source_msgids`` below), translate the new entries in the .po, run
  ``manage.py compilemessages -l en -i .venv`` and commit both files.
"""

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from workstudy.models import School, User

ROOT = Path(settings.BASE_DIR)
PO_PATH = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sdif]|%%|%[sdif]|\{\{.*?\}\}")


# --------------------------------------------------------------------------- .po reader
# A small reader so the suite needs neither polib nor gettext on a fresh machine.


def _unquote(line):
    return ast.literal_eval(line)  # PO strings use C escapes, which Python literals share


def read_po(path=PO_PATH):
    """Entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr (list of forms),
    flags, obsolete, line. Entries are separated by blank lines, as makemessages/msgmerge
    write them. The header is the entry whose msgid is ""."""
    entries = []
    blocks = re.split(r"\n[ \t]*\n", path.read_text(encoding="utf-8"))
    offset = 1
    for block in blocks:
        entry = {"flags": set(), "msgstr": [], "obsolete": False, "line": offset}
        offset += block.count("\n") + 2
        field = None
        for raw in block.splitlines():
            line = raw.strip()
            if line.startswith("#~"):
                entry["obsolete"] = True
                line = line[2:].strip()
            elif line.startswith("#,"):
                entry["flags"].update(f.strip() for f in line[2:].split(",") if f.strip())
                continue
            elif line.startswith("#") or not line:
                continue
            if line.startswith('"'):
                value = _unquote(line)
                if field[0] == "msgstr":
                    entry["msgstr"][field[1]] += value
                else:
                    entry[field[0]] += value
                continue
            keyword, _, rest = line.partition(" ")
            value = _unquote(rest)
            if keyword in ("msgctxt", "msgid", "msgid_plural"):
                entry[keyword] = value
                field = (keyword, None)
            elif keyword == "msgstr" or keyword.startswith("msgstr["):
                index = int(keyword[7:-1]) if keyword != "msgstr" else 0
                while len(entry["msgstr"]) <= index:
                    entry["msgstr"].append("")
                entry["msgstr"][index] = value
                field = ("msgstr", index)
            else:
                raise AssertionError(f"{path}: cannot read {raw!r}")
        if "msgid" in entry:
            entries.append(entry)
    return entries


def messages(entries=None):
    """The translatable entries (no header, no obsolete ones)."""
    return [e for e in (entries or read_po()) if e["msgid"] and not e["obsolete"]]


def describe(e):
    return f"line {e['line']}: {e['msgid']!r}"


# --------------------------------------------------------------------------- catalogue


def test_po_and_mo_are_committed():
    assert PO_PATH.is_file(), "locale/en/LC_MESSAGES/django.po is missing"
    assert MO_PATH.is_file(), "django.mo is missing: run manage.py compilemessages -l en -i .venv"
    assert len(messages()) > 500


def test_header_is_not_fuzzy_and_declares_utf8_and_plurals():
    header = next(e for e in read_po() if e["msgid"] == "")
    assert "fuzzy" not in header["flags"], "a fuzzy header is ignored by msgfmt"
    text = header["msgstr"][0]
    assert "charset=UTF-8" in text
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in text
    assert "Language: en" in text


def test_every_msgid_has_a_translation():
    empty = []
    for e in messages():
        forms = e["msgstr"]
        expected = 2 if "msgid_plural" in e else 1
        if len(forms) < expected or any(not s.strip() for s in forms):
            empty.append(describe(e))
    assert not empty, f"{len(empty)} untranslated strings in {PO_PATH.name}:\n" + "\n".join(empty[:50])


def test_no_fuzzy_or_obsolete_entries():
    fuzzy = [describe(e) for e in messages() if "fuzzy" in e["flags"]]
    assert not fuzzy, "fuzzy entries (check the translation, then remove the flag):\n" + "\n".join(fuzzy[:50])
    obsolete = [e["msgid"] for e in read_po() if e["obsolete"]]
    assert not obsolete, f"obsolete #~ entries left in the .po: {obsolete[:10]}"


def test_translations_keep_every_placeholder():
    wrong = []
    for e in messages():
        for source, forms in ((e["msgid"], e["msgstr"][:1]), (e.get("msgid_plural"), e["msgstr"][1:])):
            if source is None:
                continue
            for msgstr in forms:
                if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(msgstr)):
                    wrong.append(f"{describe(e)} -> {msgstr!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_translations_are_english():
    """Chinese may remain only where the user must type or find Chinese text: Excel column
    headers and cell values, an example document number, the 万 unit, the Excel template's
    example-row marker 【示例】."""
    allowed = {"学校", "年度", "是", "否", "万", "赣教勤字", "号", "示例"}
    leftovers = []
    for e in messages():
        for msgstr in e["msgstr"]:
            extra = set(HAN.findall(msgstr)) - allowed
            if extra:
                leftovers.append(f"{describe(e)} -> {msgstr!r}")
    assert not leftovers, "translations still containing Chinese:\n" + "\n".join(leftovers)


def test_compiled_mo_matches_the_po():
    """Catches a .po edited without running compilemessages."""
    stale = []
    with translation.override("en"):
        for e in messages():
            if "msgctxt" in e:
                got = translation.pgettext(e["msgctxt"], e["msgid"])
            elif "msgid_plural" in e:
                got = translation.ngettext(e["msgid"], e["msgid_plural"], 1)
            else:
                got = translation.gettext(e["msgid"])
            if got != e["msgstr"][0]:
                stale.append(f"{describe(e)}: .mo gives {got!r}")
    assert not stale, "django.mo is older than django.po: run manage.py compilemessages -l en -i .venv\n" + "\n".join(stale[:20])


def test_plural_forms_are_used():
    with translation.override("en"):
        assert translation.ngettext("%(n)s 所学校", "%(n)s 所学校", 1) % {"n": 1} == "1 school"
        assert translation.ngettext("%(n)s 所学校", "%(n)s 所学校", 3) % {"n": 3} == "3 schools"


IGNORED_SOURCES = [".venv/*", "tests/*", "var/*", "staticfiles/*", "media/*", "test-artifacts/*", "locale/*"]


@pytest.fixture(scope="module")
def source_msgids(tmp_path_factory):
    """msgids that makemessages finds in the current source, extracted into a scratch copy of
    the project so the committed .po is never touched."""
    if not shutil.which("xgettext") or not shutil.which("msguniq"):
        pytest.fail("gettext is not installed (make sysdeps installs it)")
    copy = tmp_path_factory.mktemp("src")
    for path in ROOT.rglob("*"):
        rel = path.relative_to(ROOT)
        top = rel.parts[0]
        if top.startswith(".") or f"{top}/*" in IGNORED_SOURCES or not path.is_file():
            continue
        if path.suffix in (".py", ".html", ".txt"):
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy / rel)
    (copy / "locale").mkdir()
    cmd = [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete", "--no-location"]
    for pattern in IGNORED_SOURCES:
        cmd += ["-i", pattern]
    subprocess.run(cmd, cwd=copy, check=True, capture_output=True, timeout=300)
    fresh = copy / "locale" / "en" / "LC_MESSAGES" / "django.po"
    return {(e.get("msgctxt"), e["msgid"]) for e in messages(read_po(fresh))}


def test_every_string_in_the_source_is_in_the_po(source_msgids):
    committed = {(e.get("msgctxt"), e["msgid"]) for e in messages()}
    new = sorted(m for _, m in source_msgids - committed)
    assert not new, (
        f"{len(new)} translatable strings are not in locale/en/LC_MESSAGES/django.po yet; run makemessages, "
        "translate them and compilemessages:\n" + "\n".join(new[:50])
    )


# --------------------------------------------------------------------------- pages


def english_client(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    return client


def data_values():
    """Chinese text that is data, not UI, and stays Chinese in English pages."""
    values = {settings.PORTAL_COUNTY_NAME, settings.PORTAL_BUREAU_NAME, "简体中文"}
    for school in School.objects.all():
        values.update({school.name, school.township or "", str(school)})
    for user in User.objects.all():
        values.update({user.first_name, user.last_name, user.get_full_name(), user.username})
    return {v for v in values if v}


def untranslated(html):
    """Han runs on the page that are not part of a data value."""
    html = re.sub(r"<script\b.*?</script>", "", html, flags=re.S)
    values = data_values()
    return sorted({run for run in HAN.findall(html) if not any(run in v for v in values)})


def nav_of(html):
    match = re.search(r'<nav class="mainnav".*?</nav>', html, re.S)
    assert match, "main navigation not found"
    return match.group(0)


def get_english(client, url):
    response = client.get(url, follow=True)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    assert '<html lang="en">' in html, url
    return html


STAFF_NAV = ["Home", "School-Run Enterprises", "Labor-Practice Bases", "Insurance &amp; Claims", "Validation rules", "Log out"]


def test_login_page_in_english_by_accept_language(db):
    html = Client().get("/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for text in ("Log in to the Work-Study Management Portal", "Username", "Password", "Log in"):
        assert text in html
    assert untranslated(html) == []


def test_login_page_after_language_switch(db):
    html = get_english(english_client(), "/login/")
    assert "Work-Study Management Portal" in html
    assert untranslated(html) == []


def test_chinese_stays_the_default(director, year):
    client = Client()
    client.force_login(director)
    html = client.get("/").content.decode()
    assert "勤工俭学管理平台" in html and "填报进度" in html
    assert "Work-Study Management Portal" not in html


def test_staff_dashboard_in_english(director, year, submission_a):
    html = get_english(english_client(director), "/")
    nav = nav_of(html)
    for text in STAFF_NAV:
        assert text in html
    for text in ("Years", "Schools", "School-Run Enterprises", "Labor-Practice Bases", "Logistics Outsourcing"):
        assert text in nav
    assert "Accounts" in html  # bureau-only link in the user menu
    assert not HAN.search(nav), nav
    assert "School reporting progress 2024" in html
    assert "Work-Study Office" in html  # footer
    assert untranslated(html) == []


def test_principal_dashboard_in_english(principal_a, year, submission_a):
    html = get_english(english_client(principal_a), "/")
    nav = nav_of(html)
    assert not HAN.search(nav), nav
    assert "Accounts" not in html  # bureau-only link stays hidden
    assert "School Logistics" in nav
    for text in ("return for 2024", "Return checklist", "Current status:", "In progress", "Principal"):
        assert text in html
    assert untranslated(html) == []


def test_auditor_dashboard_in_english(auditor, year):
    html = get_english(english_client(auditor), "/")
    assert not HAN.search(nav_of(html))
    assert "Reporting Years" in html and "Auditor" in html
    assert untranslated(html) == []


def test_rules_page_in_english(director, year):
    html = get_english(english_client(director), "/rules/")
    for text in ("Data validation rules", "Error", "Warning", "Numbers within their allowed range"):
        assert text in html
    assert untranslated(html) == []


MODULE_PAGES = {
    "/labor-bases/": ["Labor-Practice Bases", "Grain Field", "Tea Garden", "mu"],
    "/insurance/": ["School risk prevention and risk transfer 2024", "Student Accident Insurance", "10k CNY"],
    "/enterprises/": ["School-Run Enterprises", "Enterprise directory", "Add enterprise"],
    "/logistics/": ["Logistics Service Center"],
    "/reports/": ["Annual Work Summary", "View summary"],
    "/years/": ["Reporting Years", "Open a new year"],
    "/schools/": ["Add school", "Township"],
}


@pytest.mark.parametrize("url", sorted(MODULE_PAGES))
def test_module_index_in_english_for_staff(url, director, year, submission_a):
    html = get_english(english_client(director), url)
    for text in MODULE_PAGES[url]:
        assert text in html, (url, text)
    assert not HAN.search(nav_of(html))
    assert untranslated(html) == [], url


@pytest.mark.parametrize("url", ["/labor-bases/", "/insurance/", "/enterprises/", "/reports/"])
def test_module_index_in_english_for_principal(url, principal_a, year, submission_a):
    html = get_english(english_client(principal_a), url)
    assert not HAN.search(nav_of(html))
    assert untranslated(html) == [], url


def test_workflow_messages_in_english(principal_a, year, submission_a):
    """Messages built in Python (views, services) come out in English too."""
    client = english_client(principal_a)
    url = f"/submissions/{submission_a.pk}/submit/"
    html = client.post(url, follow=True).content.decode()
    assert "Submitted; awaiting review by the Work-Study Office." in html
    assert untranslated(html) == []
    html = client.post(url, follow=True).content.decode()  # a second submit is refused
    assert "The current status is “Submitted”" in html
    assert untranslated(html) == []


@pytest.mark.parametrize(
    "url,units",
    [
        ("/labor-bases/bases/new/?year=2024", ['<span class="unit">mu</span>', '<span class="unit">year</span>']),
        ("/labor-bases/plots/new/?year=2024", ['<span class="unit">mu</span>']),
        ("/labor-bases/activities/new/?year=2024", ['<span class="unit">person-times</span>', '<span class="unit">days</span>']),
    ],
)
def test_form_pages_show_english_labels_and_units(url, units, principal_a, year, submission_a):
    html = get_english(english_client(principal_a), url)
    for unit in units:
        assert unit in html, (url, unit)
    assert "Save" in html
    assert untranslated(html) == [], url


def test_server_error_page_in_english():
    from django.template import loader

    with translation.override("en"):
        html = loader.get_template("500.html").render()
    assert "Server error" in html and '<html lang="en">' in html
    assert not HAN.search(html)
