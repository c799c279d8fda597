"""Fill empty or fuzzy English translations from locale/pending/*.po, then compile.

Run `make messages` first (it extracts new strings); this script never overwrites a
translation that is already there. Used when several people translate in parallel:
each writes their strings into locale/pending/<name>.po and this merges them.
"""
import pathlib
import subprocess
import sys

import polib

ROOT = pathlib.Path(__file__).resolve().parent.parent
PO = ROOT / "locale/en/LC_MESSAGES/django.po"


def main():
    pending = {}
    for path in sorted((ROOT / "locale/pending").glob("*.po")):
        for entry in polib.pofile(str(path)):
            if entry.msgstr:
                pending[(entry.msgctxt, entry.msgid)] = entry.msgstr
    po = polib.pofile(str(PO))
    filled, missing = 0, []
    for entry in po:
        if entry.obsolete or (entry.msgstr and "fuzzy" not in entry.flags):
            continue
        if entry.msgid_plural and entry.msgstr_plural and all(entry.msgstr_plural.values()) \
                and "fuzzy" not in entry.flags:
            continue
        text = pending.get((entry.msgctxt, entry.msgid))
        if text and entry.msgid_plural:  # English has the same words for one and many here
            entry.msgstr_plural = {index: text for index in (entry.msgstr_plural or {0: "", 1: ""})}
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = None
            filled += 1
        elif text:
            entry.msgstr = text
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = None
            filled += 1
        else:
            missing.append(entry.msgid)
    po.save(str(PO))
    print(f"filled {filled}; still untranslated: {len(missing)}")
    for msgid in missing:
        print("  ", msgid)
    compile_en = [sys.executable, str(ROOT / "manage.py"), "compilemessages", "-l", "en", "-i", ".venv", "-i", "var"]
    subprocess.run(compile_en, check=True, cwd=ROOT)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
