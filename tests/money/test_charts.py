"""SVG charts for the reports page: accessible, escaped, deterministic."""

from decimal import Decimal

from defusedxml.ElementTree import fromstring

from sprachmittlerpool.charts import bar_chart_svg, line_chart_svg

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script>'


def test_bar_chart_is_an_accessible_image_with_labels_and_values() -> None:
    svg = bar_chart_svg("Meistgefragte Sprachen", [("Ukrainisch", 42), ("Arabisch", 17)], unit="Anfragen")

    root = fromstring(svg)
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Meistgefragte Sprachen"
    assert root.find(f"{SVG}title").text == "Meistgefragte Sprachen"
    assert texts[1:] == ["Ukrainisch", "42 Anfragen", "Arabisch", "17 Anfragen"]


def test_longest_bar_belongs_to_the_largest_value() -> None:
    svg = bar_chart_svg("Einsätze", [("a", 10), ("b", 40), ("c", 0)])

    widths = [float(rect.get("width")) for rect in fromstring(svg).iter(f"{SVG}rect")]
    assert widths[1] == max(widths) and widths[0] == widths[1] / 4 and widths[2] == 0


def test_money_values_are_written_the_german_way() -> None:
    svg = bar_chart_svg("Aufwandsentschädigungen", [("März", Decimal("1234.5"))], unit="€")

    assert "1.234,50 €" in svg


def test_labels_and_titles_are_escaped_so_no_script_gets_in() -> None:
    bar = bar_chart_svg(HOSTILE, [(HOSTILE, 1)])
    line = line_chart_svg(HOSTILE, [(HOSTILE, 1), ("b", 2)])

    for svg in (bar, line):
        assert "<script" not in svg
        assert not list(fromstring(svg).iter(f"{SVG}script"))


def test_line_chart_draws_one_point_per_month_through_a_polyline() -> None:
    svg = line_chart_svg("Einsätze je Monat", [("2025-01", 3), ("2025-02", 7.5), ("2025-03", 0)])

    root = fromstring(svg)
    points = root.find(f"{SVG}polyline").get("points").split()
    assert len(points) == 3 == len(list(root.iter(f"{SVG}circle")))
    assert "7,50" in svg


def test_charts_are_deterministic_and_handle_no_data() -> None:
    items = [("x", 0.1 + 0.2), ("y", 3)]

    assert bar_chart_svg("t", items) == bar_chart_svg("t", items)
    assert line_chart_svg("t", items) == line_chart_svg("t", items)
    assert "Keine Daten" in bar_chart_svg("leer", []) and "Keine Daten" in line_chart_svg("leer", [])
