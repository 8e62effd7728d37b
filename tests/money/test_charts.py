"""SVG charts for the reports page: accessible, escaped, deterministic, and legible from a phone to a desktop."""

from decimal import Decimal

from defusedxml.ElementTree import fromstring

from sprachmittlerpool.charts import LABEL_CHARS, WIDTH, bar_chart_svg, top_items

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script>'


def test_bar_chart_is_an_accessible_image_with_labels_and_values() -> None:
    svg = bar_chart_svg("Meistgefragte Sprachen", [("Ukrainisch", 42), ("Arabisch", 17)], unit="Anfragen")

    root = fromstring(svg)
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert root.get("role") == "img" and root.get("class") == "chart"
    assert root.get("aria-label") == "Meistgefragte Sprachen"
    assert root.find(f"{SVG}title").text == "Meistgefragte Sprachen"
    assert texts[1:] == ["Ukrainisch", "42 Anfragen", "Arabisch", "17 Anfragen"]


def test_longest_bar_belongs_to_the_largest_value() -> None:
    svg = bar_chart_svg("Einsätze", [("a", 10), ("b", 40), ("c", 0)])

    widths = [float(rect.get("width")) for rect in fromstring(svg).iter(f"{SVG}rect")]
    assert widths[1] == max(widths) and widths[0] == widths[1] / 4 and widths[2] == 0


def test_each_label_has_its_own_line_above_its_bar_so_no_two_labels_overlap() -> None:
    svg = bar_chart_svg("Einsätze", [(f"Kommune {n}", n) for n in range(1, 13)])

    root = fromstring(svg)
    label_lines = [float(text.get("y")) for text in root.iter(f"{SVG}text")][1::2]
    bars = [float(rect.get("y")) for rect in root.iter(f"{SVG}rect")]
    assert all(later - earlier >= 40 for earlier, later in zip(label_lines, label_lines[1:], strict=False))
    assert all(label < bar for label, bar in zip(label_lines, bars, strict=True))
    assert all(float(text.get("x")) < WIDTH for text in root.iter(f"{SVG}text"))


def test_a_long_label_is_cut_on_the_chart_and_given_in_full_as_its_title() -> None:
    long = "Vaterschaftsanerkennung oder Sorgeerklärung beim Jugendamt des Kreises Heinsberg"

    group = fromstring(bar_chart_svg("Termine", [(long, 3)])).find(f"{SVG}g")

    label = group.find(f"{SVG}text").text
    assert len(label) == LABEL_CHARS and label.endswith("…") and long.startswith(label[:-1])
    assert group.find(f"{SVG}title").text == f"{long}: 3"


def test_money_and_hours_are_written_the_german_way() -> None:
    money = bar_chart_svg(
        "Aufwandsentschädigungen", [("März", Decimal("1234.5")), ("April", 60)], unit="€", places=2
    )
    hours = bar_chart_svg("Stunden", [("März", Decimal("1.5"))], unit="Std.", places=1)

    assert "1.234,50 €" in money and "60,00 €" in money and "1,5 Std." in hours


def test_labels_and_titles_are_escaped_so_no_script_gets_in() -> None:
    svg = bar_chart_svg(HOSTILE, [(HOSTILE, 1)])

    assert "<script" not in svg
    assert not list(fromstring(svg).iter(f"{SVG}script"))


def test_many_items_keep_the_largest_and_add_up_the_rest() -> None:
    items = [(f"Sprache {n}", 20 - n) for n in range(15)]

    kept = top_items(items, limit=12)

    assert len(kept) == 12 and kept[:11] == items[:11]
    assert kept[-1] == ("übrige (4)", Decimal(9 + 8 + 7 + 6))
    assert top_items(items[:3]) == items[:3]


def test_charts_are_deterministic_and_handle_no_data() -> None:
    items = [("x", 0.1 + 0.2), ("y", 3)]

    assert bar_chart_svg("t", items) == bar_chart_svg("t", items)
    assert "Keine Daten" in bar_chart_svg("leer", [])
