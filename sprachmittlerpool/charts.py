"""Server-rendered SVG charts for the reports page: no scripts, all text escaped, deterministic."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape, quoteattr

Number = int | float | Decimal

WIDTH = 640
BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 200
VALUE_WIDTH = 110
TITLE_HEIGHT = 32
LINE_HEIGHT = 260
PLOT_LEFT = 48
PLOT_TOP = 40
PLOT_BOTTOM = 40
FONT = 'font-family="sans-serif" font-size="12"'
COLOUR = "#2b6cb0"


def bar_chart_svg(title: str, items: Sequence[tuple[str, Number]], *, unit: str = "") -> str:
    """Draw horizontal bars with their labels and values."""
    height = TITLE_HEIGHT + max(len(items), 1) * (BAR_HEIGHT + BAR_GAP) + BAR_GAP
    parts = [_open(title, height), _title(title)]
    if not items:
        parts.append(_empty(TITLE_HEIGHT + BAR_HEIGHT))
    largest = max((_decimal(value) for _, value in items), default=Decimal(0))
    track = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    for index, (label, value) in enumerate(items):
        y = TITLE_HEIGHT + index * (BAR_HEIGHT + BAR_GAP)
        width = _scale(_decimal(value), largest, track)
        text_y = y + BAR_HEIGHT * 0.7
        parts.append(_text(LABEL_WIDTH - 8, text_y, label, anchor="end"))
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{_fmt(width)}" height="{BAR_HEIGHT}" fill="{COLOUR}">'
            f"{_tooltip(label, value, unit)}</rect>"
        )
        parts.append(_text(LABEL_WIDTH + width + 6, text_y, _value_text(value, unit)))
    parts.append("</svg>")
    return "\n".join(parts)


def line_chart_svg(title: str, points: Sequence[tuple[str, Number]], *, unit: str = "") -> str:
    """Draw a line through monthly values, with month labels and each value written out."""
    parts = [_open(title, LINE_HEIGHT), _title(title)]
    if not points:
        parts.append(_empty(PLOT_TOP + 20))
    baseline = LINE_HEIGHT - PLOT_BOTTOM
    parts.append(
        f'<line x1="{PLOT_LEFT}" y1="{baseline}" x2="{WIDTH - PLOT_LEFT}" y2="{baseline}" stroke="#999"/>'
    )
    coordinates = _line_coordinates([_decimal(value) for _, value in points])
    if len(coordinates) > 1:
        polyline = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in coordinates)
        parts.append(f'<polyline points="{polyline}" fill="none" stroke="{COLOUR}" stroke-width="2"/>')
    for (label, value), (x, y) in zip(points, coordinates, strict=True):
        parts.append(_text(x, baseline + 18, label, anchor="middle"))
        parts.append(_text(x, y - 8, _value_text(value, unit), anchor="middle"))
        parts.append(
            f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="3" fill="{COLOUR}">'
            f"{_tooltip(label, value, unit)}</circle>"
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _line_coordinates(values: list[Decimal]) -> list[tuple[Decimal, Decimal]]:
    """Place values evenly from left to right, scaled to the plot's height."""
    largest = max(values, default=Decimal(0))
    step = Decimal(WIDTH - 2 * PLOT_LEFT) / max(len(values) - 1, 1)
    baseline = LINE_HEIGHT - PLOT_BOTTOM
    plot_height = LINE_HEIGHT - PLOT_TOP - PLOT_BOTTOM
    return [(PLOT_LEFT + step * i, baseline - _scale(v, largest, plot_height)) for i, v in enumerate(values)]


def _text(x: Number, y: Number, content: str, *, anchor: str | None = None) -> str:
    """Place escaped text at a point."""
    anchor_attribute = f' text-anchor="{anchor}"' if anchor else ""
    return f'<text x="{_fmt(x)}" y="{_fmt(y)}"{anchor_attribute}>{escape(content)}</text>'


def _tooltip(label: str, value: Number, unit: str) -> str:
    """Give a shape a hover text naming its label and value."""
    return f"<title>{escape(label)}: {escape(_value_text(value, unit))}</title>"


def _open(title: str, height: int) -> str:
    """Open the svg element with the accessible name screen readers announce."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label={quoteattr(title)} '
        f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" {FONT}>'
    )


def _title(title: str) -> str:
    """Give the chart its <title> and a visible heading."""
    return f'<title>{escape(title)}</title>\n<text x="0" y="18" font-weight="bold">{escape(title)}</text>'


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


def _value_text(value: Number, unit: str) -> str:
    """Write a value the German way (decimal comma, thousands dot) with its unit."""
    number = _decimal(value)
    if number == number.to_integral_value():
        text = f"{int(number):,}".replace(",", ".")
    else:
        rounded = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        text = f"{rounded:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"{text} {unit}".rstrip()
