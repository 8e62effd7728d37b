"""The shipped Unicode font in fpdf2 documents: measured once per process, cut down from a kept subset.

Names come in Cyrillic, Greek, Arabic …: DejaVu (free licence) prints them, where fpdf2's core fonts would
print '?'. Two costs of fpdf2 are paid once per process instead of once per document:

- `add_font` reads the font file and measures every character (100–200 ms per document). `add_fonts`
  gives each document a copy of a font measured once, with its own glyph subset and file handle.
- Writing a document cuts each font down to the glyphs it printed, and fontTools reads the whole font for
  that: its 6,000 glyphs' outlines and names (30–50 ms per style). `write` hands fpdf2 a font already cut
  down to the common glyphs (Latin, German, punctuation) plus the document's others, kept per process;
  fpdf2 then cuts that small font down to the document's glyphs. What is embedded stays exactly the
  glyphs the document uses.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Collection
from functools import lru_cache
from pathlib import Path

from fontTools import subset, ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

FONT = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
_STYLE_OF = {f"{FONT.lower()}{style}": style for style in FONT_FILES}  # fpdf2's font key → style
# The characters of nearly every document: ASCII, Latin-1 and Latin Extended-A, German quotes, dashes, €.
COMMON = "".join(map(chr, range(0x20, 0x7F))) + "".join(map(chr, range(0xA0, 0x180))) + "€–—„“”‚‘’…·•"
KEPT_CUTS = 32  # cut-down fonts kept per process, each 30–120 KB


def add_fonts(pdf: FPDF, styles: Collection[str] = tuple(FONT_FILES)) -> None:
    """Register the shipped font in the styles a document uses (fpdf2 embeds every registered font).

    Each document gets a copy of the font measured once per process, with its own glyph subset and its
    own file handle (writing a document rewrites the font it is given); the bytes come out the same as
    from fpdf2's `add_font`.
    """
    for style in styles:
        font = copy.copy(_measured(style))
        font.i = len(pdf.fonts) + 1
        font.ttfont = ttLib.TTFont(io.BytesIO(_font_bytes(style)), recalcTimestamp=False, lazy=True)
        font.subset = SubsetMap(font)
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        pdf.fonts[font.fontkey] = font


def write(pdf: FPDF) -> bytes:
    """Write a document whose fonts came from `add_fonts`, each from its kept cut-down font."""
    for key, font in pdf.fonts.items():
        if isinstance(font, TTFFont) and key in _STYLE_OF:
            style = _STYLE_OF[key]
            uncommon = frozenset(font.subset.get_all_glyph_names()) - _common_glyphs(style)
            font.ttfont = ttLib.TTFont(io.BytesIO(_cut(style, uncommon)), recalcTimestamp=False, lazy=True)
    return bytes(pdf.output())


@lru_cache(maxsize=KEPT_CUTS)
def _cut(style: str, uncommon: frozenset[str]) -> bytes:
    """Cut the font down to the common glyphs and these others, with the options fpdf2 cuts with."""
    options = subset.Options(notdef_outline=True, recommended_glyphs=True)
    options.glyph_names = True  # fpdf2 finds the glyphs by the names the full font gives them
    options.drop_tables += ["FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta"]  # fpdf2 drops them too
    cutter = subset.Subsetter(options)
    cutter.populate(glyphs=sorted(_common_glyphs(style) | uncommon))
    font = ttLib.TTFont(io.BytesIO(_font_bytes(style)), recalcTimestamp=False)
    cutter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@lru_cache(maxsize=len(FONT_FILES))
def _common_glyphs(style: str) -> frozenset[str]:
    """Name the font's glyphs of the COMMON characters (from the character map read when it was measured)."""
    glyphs = _measured(style).cmap
    return frozenset(glyphs[code] for code in map(ord, COMMON) if code in glyphs)


@lru_cache(maxsize=len(FONT_FILES))
def _font_bytes(style: str) -> bytes:
    """The font file in memory: a document's copy reads from it and leaves no open file behind."""
    return (FONT_DIR / FONT_FILES[style]).read_bytes()


@lru_cache(maxsize=len(FONT_FILES))
def _measured(style: str) -> TTFFont:
    """Read and measure one style of the shipped font once per process (a template for `add_fonts`)."""
    template = FPDF()
    template.add_font(FONT, style=style, fname=str(FONT_DIR / FONT_FILES[style]))
    font = template.fonts[f"{FONT.lower()}{style}"]
    assert isinstance(font, TTFFont) and font.color_font is None  # DejaVu: no colour tables to copy
    return font
