"""What every samtykke PDF shares: an embedded font with Norwegian letters, styles, escaping.

The font: DejaVu Sans when the system has it (Debian's ``fonts-dejavu-core``; it also covers
Sámi letters such as ŋ, đ and ŧ), else Bitstream Vera, which ReportLab itself ships in
``reportlab/fonts`` and so is on every machine samtykke runs on (it covers Latin-1 and
Windows-1252: æ, ø, å, é, ü, š …). Either is embedded (subset) in the PDF, so the printout
never depends on the printer's fonts. Which one was chosen is logged once.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

logger = logging.getLogger(__name__)

_SYSTEM_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
_REPORTLAB_FONTS = Path(reportlab.__file__).parent / "fonts"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#999999")
SHADE = colors.HexColor("#f2f2f2")


@dataclass(frozen=True)
class Fonts:
    regular: str
    bold: str
    source: str


@cache
def fonts() -> Fonts:
    """Register the font once per process and say which one it is."""
    candidates = [
        (_SYSTEM_DEJAVU / "DejaVuSans.ttf", _SYSTEM_DEJAVU / "DejaVuSans-Bold.ttf", "DejaVu Sans"),
        (_REPORTLAB_FONTS / "Vera.ttf", _REPORTLAB_FONTS / "VeraBd.ttf", "Bitstream Vera"),
    ]
    for regular, bold, name in candidates:
        if regular.is_file() and bold.is_file():
            family = "Samtykke" + name.split()[0]  # ReportLab keeps the first font of a name
            pdfmetrics.registerFont(TTFont(family, str(regular)))
            pdfmetrics.registerFont(TTFont(f"{family}-Bold", str(bold)))
            pdfmetrics.registerFontFamily(
                family,
                normal=family,
                bold=f"{family}-Bold",
                italic=family,
                boldItalic=f"{family}-Bold",
            )
            logger.debug("PDF font: %s (%s)", name, regular)
            return Fonts(family, f"{family}-Bold", name)
    logger.warning(
        "No TTF font found (neither DejaVu nor ReportLab's Vera): PDFs use Helvetica, which "
        "covers æ, ø and å but is not embedded."
    )
    return Fonts("Helvetica", "Helvetica-Bold", "Helvetica (not embedded)")


def text(value: object) -> str:
    """Any value as Paragraph markup that prints exactly as text (``<b>`` stays ``<b>``)."""
    cleaned = _CONTROL.sub("\ufffd", str(value if value is not None else ""))
    return escape(cleaned).replace("\n", "<br/>")


def plain(value: object) -> str:
    """A value for canvas.drawString: control characters replaced, nothing else changed."""
    return _CONTROL.sub("\ufffd", str(value if value is not None else ""))


@cache
def styles() -> dict[str, ParagraphStyle]:
    f = fonts()
    base = ParagraphStyle("body", fontName=f.regular, fontSize=9.5, leading=12.5, textColor=INK)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10, textColor=MUTED),
        "label": ParagraphStyle("label", parent=base, fontSize=8, leading=10, textColor=MUTED),
        "value": ParagraphStyle("value", parent=base, fontName=f.bold, fontSize=10, leading=12.5),
        "title": ParagraphStyle(
            "title", parent=base, fontName=f.bold, fontSize=15, leading=19, spaceAfter=4
        ),
        "heading": ParagraphStyle(
            "heading",
            parent=base,
            fontName=f.bold,
            fontSize=11,
            leading=14,
            spaceBefore=8,
            spaceAfter=3,
        ),
        "dealer": ParagraphStyle("dealer", parent=base, fontName=f.bold, fontSize=13, leading=16),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10),
        "cellbold": ParagraphStyle(
            "cellbold", parent=base, fontName=f.bold, fontSize=8, leading=10
        ),
    }


def format_org_number(number: str) -> str:
    """923609016 → 923 609 016, as Norwegians write it."""
    digits = number.strip()
    if len(digits) == 9 and digits.isdigit():
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    return digits
