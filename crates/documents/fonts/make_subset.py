#!/usr/bin/env python3
"""Rebuilds the committed font subsets from Debian's fonts-noto-cjk package.

    apt-get install fonts-noto-cjk && pip install fonttools
    python3 crates/documents/fonts/make_subset.py

Regular covers what applicants type: ASCII and Latin (pinyin with tones, ü), general and CJK
punctuation, full-width forms, every character of GBK (GB 2312 plus the rest of the CJK Unified
Ideographs basic block, which includes traditional forms), CJK Extension A (the GB 18030-2005
mandatory set), and the middle dot used in minority names. Characters outside it (e.g. Extension B
such as U+20BB7) are refused by the renderer's coverage check rather than printed blank.

Bold is used only for the form's own fixed labels and headings, never for what applicants type, so
it is cut down to GB 2312's first level (3,755 most common hanzi) with its symbols plus the
punctuation ranges; a unit test checks every label character against the embedded bold face.

Only the layout features typst uses for horizontal Chinese text are kept: the collection's
localised forms (locl) and vertical alternates would pull in the Japanese, Korean and traditional
glyph variants and nearly double the file.
"""
import pathlib
import sys

from fontTools import subset
from fontTools.ttLib import TTCollection

HERE = pathlib.Path(__file__).resolve().parent
SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-{}.ttc"
SC_INDEX = 2  # Debian's collection order: JP, KR, SC, TC, HK, then the Mono faces.


def regular_codepoints():
    cps = set(range(0x20, 0x7F))
    cps |= set(range(0xA0, 0x250))  # Latin-1 and Latin Extended-A/B (pinyin tone marks)
    cps |= set(range(0x2000, 0x2070))  # general punctuation: — ‘ ’ “ ” … ‰
    cps |= set(range(0x2100, 0x2200))  # letterlike symbols and number forms (℃, Ⅰ, №)
    cps |= set(range(0x2460, 0x2500))  # enclosed alphanumerics ①
    cps |= set(range(0x2500, 0x2800))  # box drawing, shapes, symbols, dingbats (□ ☐ ☑ ✓)
    cps |= set(range(0x3000, 0x3040))  # CJK symbols and punctuation
    cps |= set(range(0x3400, 0x4DC0))  # CJK Extension A
    cps |= set(range(0x4E00, 0xA000))  # CJK Unified Ideographs
    cps |= set(range(0xFE30, 0xFE50))  # CJK compatibility forms
    cps |= set(range(0xFF00, 0xFFF0))  # half- and full-width forms
    # Everything GBK can encode (symbols, Greek, Cyrillic, zhuyin and the hanzi).
    for lead in range(0x81, 0xFF):
        for trail in range(0x40, 0xFF):
            try:
                cps.add(ord(bytes([lead, trail]).decode("gbk")))
            except UnicodeDecodeError:
                pass
    return cps


def bold_codepoints():
    cps = set(range(0x20, 0x7F)) | set(range(0x2000, 0x2070)) | set(range(0x3000, 0x3040))
    cps |= set(range(0xFF00, 0xFFF0)) | set(range(0x2460, 0x2800))
    for lead in list(range(0xA1, 0xAA)) + list(range(0xB0, 0xD8)):
        for trail in range(0xA1, 0xFF):
            try:
                cps.add(ord(bytes([lead, trail]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return cps


def cut(weight, codepoints, out_name):
    collection = TTCollection(SOURCE.format(weight))
    font = collection.fonts[SC_INDEX]
    options = subset.Options()
    options.layout_features = ["kern", "liga", "ccmp", "mark", "mkmk", "calt", "halt", "palt"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)
    out = HERE / out_name
    font.save(str(out))
    glyphs = len(font.getGlyphOrder())
    size = out.stat().st_size
    print(f"{out_name}: {len(font.getBestCmap())} characters, {glyphs} glyphs, {size} bytes")


if __name__ == "__main__":
    cut("Regular", regular_codepoints(), "NotoSansCJKsc-Regular-subset.otf")
    cut("Bold", bold_codepoints(), "NotoSansCJKsc-Bold-subset.otf")
    sys.exit(0)
