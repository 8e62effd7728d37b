"""Server-rendered SVG charts for the reports page: no scripts, all text escaped, deterministic.

A chart is narrow (WIDTH) and draws each label on its own line above its bar, so it reads at its natural
size on a wide screen and, scaled down to a phone's width, still keeps its letters legible; no two labels
can overlap. A label too long for the line is cut with '…' and its full text is the item's <title>.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape, quoteattr

Number = int | float | Decimal

WIDTH = 340
FONT_SIZE = 14
LABEL_CHARS = 42  # what fits on one line of WIDTH at FONT_SIZE (about 0.55 em per letter)
LABEL_HEIGHT = 17
BAR_HEIGHT = 16
ITEM_GAP = 10
ITEM_HEIGHT = LABEL_HEIGHT + BAR_HEIGHT + ITEM_GAP
VALUE_WIDTH = 100
TITLE_HEIGHT = 30
FONT = f'font-family="sans-serif" font-size="{FONT_SIZE}"'
COLOUR = "#1d4f91"
TOP_ITEMS = 12  # more bars make a chart a list; the table below it holds every row


def bar_chart_svg(
    title: str, items: Sequence[tuple[str, Number]], *, unit: str = "", places: int | None = None
) -> str:
    """Draw one horizontal bar per item, its label on the line above and its value after the bar.

    Values are written with ``places`` decimals (2 for euros, 1 for hours); without, whole numbers bare.
    """
    height = TITLE_HEIGHT + max(len(items), 1) * ITEM_HEIGHT
    parts = [_open(title, height), _title(title)]
    if not items:
        parts.append(_empty(TITLE_HEIGHT + LABEL_HEIGHT))
    largest = max((_decimal(value) for _, value in items), default=Decimal(0))
    track = WIDTH - VALUE_WIDTH
    for index, (label, value) in enumerate(items):
        top = TITLE_HEIGHT + index * ITEM_HEIGHT
        width = _scale(_decimal(value), largest, track)
        bar_top = top + LABEL_HEIGHT
        parts.append(
            f"<g>{_tooltip(label, value, unit, places)}"
            f"{_text(0, top + LABEL_HEIGHT - 4, shorten(label))}"
            f'<rect x="0" y="{bar_top}" width="{_fmt(width)}" height="{BAR_HEIGHT}" fill="{COLOUR}"/>'
            f"{_text(width + 6, bar_top + BAR_HEIGHT - 3, _value_text(value, unit, places))}</g>"
        )
    parts.append("</svg>")
    return "\n".join(parts)


def top_items(items: Sequence[tuple[str, Number]], limit: int = TOP_ITEMS) -> list[tuple[str, Number]]:
    """Keep the first ``limit`` items (lists come largest first) and add up the rest as 'übrige'."""
    if len(items) <= limit:
        return list(items)
    rest = sum((_decimal(value) for _, value in items[limit - 1 :]), Decimal(0))
    return [*items[: limit - 1], (f"übrige ({len(items) - limit + 1})", rest)]


def shorten(label: str, limit: int = LABEL_CHARS) -> str:
    """Cut a label to what fits on a chart's line, marking the cut with '…'."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _text(x: Number, y: Number, content: str) -> str:
    """Place escaped text at a point."""
    return f'<text x="{_fmt(x)}" y="{_fmt(y)}">{escape(content)}</text>'


def _tooltip(label: str, value: Number, unit: str, places: int | None) -> str:
    """Give an item a hover text naming its full label and value."""
    return f"<title>{escape(label)}: {escape(_value_text(value, unit, places))}</title>"


def _open(title: str, height: int) -> str:
    """Open the svg element with the accessible name screen readers announce."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label={quoteattr(title)} '
        f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" {FONT}>'
    )


def _title(title: str) -> str:
    """Give the chart its <title> and a visible heading (cut to the line, like the labels)."""
    return f'<title>{escape(title)}</title>\n<text x="0" y="18" font-weight="bold">{escape(shorten(title, 40))}</text>'


def _empty(y: int) -> str:
    """Say there is nothing to show instead of drawing an empty frame."""
    return f'<text x="0" y="{y}">Keine Daten</text>'


def _decimal(value: Number) -> Decimal:
    """Convert a value exactly; floats via their shortest repr so output is stable."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _scale(value: Decimal, largest: Decimal, length: int) -> Decimal:
    """Map a value onto 0…length; negative values and an all-zero series draw nothing."""
    if largest <= 0 or value <= 0:
        return Decimal(0)
    return value * length / largest


def _fmt(coordinate: Number) -> str:
    """Write a coordinate with one decimal place, without a trailing '.0'."""
    rounded = Decimal(str(coordinate)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return str(rounded).removesuffix(".0")


def _value_text(value: Number, unit: str, places: int | None = None) -> str:
    """Write a value the German way (decimal comma, thousands dot) with its unit."""
    number = _decimal(value)
    if places is None and number == number.to_integral_value():
        text = f"{int(number):,}".replace(",", ".")
    else:
        digits = 2 if places is None else places
        rounded = number.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
        text = f"{rounded:,.{digits}f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"{text} {unit}".rstrip()
