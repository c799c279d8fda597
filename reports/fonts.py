"""The PDF's fonts: GB2312 subsets of Noto CJK, made once and committed.

WeasyPrint embeds only the glyphs a document uses, but it has to subset the whole font
to find them. The stock Noto CJK faces have 65,535 glyphs each; subsetting them is slow
for every document (slower still where HarfBuzz-subset is missing and fontTools does the
work). These files hold the ~7,500 GB2312 characters plus punctuation, digits
and Latin, so WeasyPrint subsets a font a tenth the size. Characters outside the set fall
back to the system's Noto CJK through fontconfig: slower, never a missing glyph.

``python manage.py build_report_fonts`` regenerates the files (SIL OFL 1.1, as Noto).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

FONT_DIR = Path(settings.BASE_DIR) / "static" / "reports" / "fonts"
SYSTEM_FONT_DIR = Path("/usr/share/fonts/opentype/noto")


@dataclass(frozen=True)
class FontSpec:
    filename: str  # under static/reports/fonts/
    source: str  # the Noto collection in SYSTEM_FONT_DIR
    face: str  # the face inside the collection
    family: str  # the family name the PDF stylesheet uses
    weight: int


FONTS = [
    FontSpec("ReportSerif-Regular.otf", "NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC", "Report Serif", 400),
    FontSpec("ReportSerif-Bold.otf", "NotoSerifCJK-Bold.ttc", "Noto Serif CJK SC Bold", "Report Serif", 700),
    FontSpec("ReportSans-Bold.otf", "NotoSansCJK-Bold.ttc", "Noto Sans CJK SC Bold", "Report Sans", 700),
]


def gb2312_chars() -> set[str]:
    chars = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def _project_chars() -> set[str]:
    """Characters the portal itself prints (demo data, templates): e.g. 畲 in a township name."""
    base = Path(settings.BASE_DIR)
    chars: set[str] = set()
    for pattern in ("*/demo.py", "templates/reports/*.html", "reports/*.py", "workstudy/demo.py"):
        for path in base.glob(pattern):
            chars.update(ch for ch in path.read_text(encoding="utf-8") if ord(ch) > 0x2E7F)
    return chars


def charset() -> set[str]:
    chars = gb2312_chars() | _project_chars()
    ranges = [
        (0x20, 0x7E), (0xA0, 0xFF), (0x2010, 0x2027), (0x2030, 0x203B), (0x2160, 0x216B),
        (0x2190, 0x2193), (0x2212, 0x2212), (0x2248, 0x2248), (0x2264, 0x2265), (0x2500, 0x2501),
        (0x2460, 0x2473), (0x3000, 0x303F), (0x3220, 0x3229), (0xFF01, 0xFF5E),
        (0xFFE0, 0xFFE5),
    ]
    for start, end in ranges:
        chars.update(chr(c) for c in range(start, end + 1))
    return chars


def path_of(spec: FontSpec) -> Path:
    return FONT_DIR / spec.filename


def covers(text: str) -> set[str]:
    """Characters of ``text`` the bundled fonts lack (they fall back to the system font)."""
    known = _covered()
    return {ch for ch in set(text) if ord(ch) > 0x7F and ch not in known and not ch.isspace()}


_COVERED: set[str] | None = None


def _covered() -> set[str]:
    global _COVERED
    if _COVERED is None:
        from fontTools.ttLib import TTFont

        font = TTFont(path_of(FONTS[0]), lazy=True)
        _COVERED = {chr(c) for c in font.getBestCmap()}
    return _COVERED


def build(*, out_dir: Path | None = None, log=print) -> list[Path]:
    """Subset each Noto collection face to :func:`charset` and rename its family."""
    from fontTools import subset
    from fontTools.ttLib import TTCollection

    out_dir = out_dir or FONT_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    text = "".join(sorted(charset()))
    written = []
    for spec in FONTS:
        collection = TTCollection(str(SYSTEM_FONT_DIR / spec.source))
        font = next(f for f in collection.fonts if f["name"].getDebugName(4) == spec.face)
        options = subset.Options()
        # Only what horizontal Chinese/Latin text uses: no vertical or JP/KR/TC alternates.
        options.layout_features = ["kern", "liga", "ccmp", "palt"]
        options.hinting = False
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.notdef_outline = True
        options.drop_tables += ["vhea", "vmtx", "VORG"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(font)
        style = "Bold" if spec.weight >= 700 else "Regular"
        names = font["name"]
        for record in list(names.names):
            if record.nameID in (1, 16):
                record.string = spec.family
            elif record.nameID in (4,):
                record.string = f"{spec.family} {style}"
            elif record.nameID in (6,):
                record.string = f"{spec.family.replace(' ', '')}-{style}"
            elif record.nameID in (2, 17):
                record.string = style
        target = out_dir / spec.filename
        font.save(str(target))
        log(f"{target}: {target.stat().st_size // 1024} KB, {font['maxp'].numGlyphs} glyphs")
        written.append(target)
    return written
