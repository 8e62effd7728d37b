"""Reading a region file: CSV as a KI types it, the shipped JSON, and a German message per wrong line."""

from __future__ import annotations

import json

import pytest

from sprachmittlerpool.regions import MAX_BYTES, RegionEntry, parse, shipped_names, shipped_region, slug

GOOD_CSV = "name;lat;lon;kind\nKleve;51.79;6.14;Stadt\nBedburg-Hau;51.7627;6.1833;Gemeinde\n"


def messages(data: str | bytes, filename: str = "kreis.csv") -> list[str]:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return [str(error) for error in parse(raw, filename).errors]


def test_a_good_csv_gives_one_entry_per_line_with_a_slug_id() -> None:
    checked = parse(GOOD_CSV.encode(), "kreis.csv")

    assert checked.ok
    assert checked.entries == (
        RegionEntry("kleve", "Kleve", "Stadt", 51.79, 6.14),
        RegionEntry("bedburg-hau", "Bedburg-Hau", "Gemeinde", 51.7627, 6.1833),
    )


def test_a_byte_order_mark_german_decimal_commas_and_a_missing_kind_are_fine() -> None:
    data = "\ufeffName;Breitengrad;Längengrad\nHückelhoven;51,0554;6,2260\n\n".encode()

    checked = parse(data, "liste.csv")

    assert checked.ok, checked.errors
    assert checked.entries == (RegionEntry("hueckelhoven", "Hückelhoven", "", 51.0554, 6.226),)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Übach-Palenberg", "uebach-palenberg"),
        ("Stolberg (Rhld.)", "stolberg-rhld"),
        ("Emmerich am Rhein", "emmerich-am-rhein"),
        ("Nörvenich", "noervenich"),
        ("Weißwasser", "weisswasser"),
    ],
)
def test_the_id_is_the_name_spelled_without_umlauts_and_punctuation(name: str, expected: str) -> None:
    assert slug(name) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Goch;abc;6.16;Stadt", "Zeile 3: Breitengrad „abc“ ist keine Zahl"),
        ("Goch;51.68;;Stadt", "Zeile 3: Längengrad fehlt"),
        (
            "Goch;6.16;51.68;Stadt",
            "Zeile 3: Breitengrad 6,16 liegt nicht in Deutschland (erwartet zwischen 47 und 55,5)",
        ),
        (";51.68;6.16;Stadt", "Zeile 3: Name fehlt"),
        (
            "Goch;51.68;6.16;Dorf",
            "Zeile 3: Art „Dorf“ ist unbekannt; erlaubt: Stadt, Gemeinde, Stadtbezirk, Ortsteil",
        ),
        ("KLEVE;51.68;6.16;Stadt", "Zeile 3: „KLEVE“ steht schon in Zeile 2"),
        (
            "Goch;51.68;6.16;Stadt;x",
            "Zeile 3: Zu viele Spalten (5); erwartet: name;lat;lon;kind, durch Semikolon getrennt",
        ),
        ("Goch;1.234,5;6.16;Stadt", "Zeile 3: Breitengrad „1.234,5“ ist keine Zahl"),
        ("Goch;nan;6.16;Stadt", "Zeile 3: Breitengrad „nan“ ist keine Zahl"),
    ],
)
def test_each_mistake_is_named_with_its_line_in_german(line: str, expected: str) -> None:
    data = f"name;lat;lon;kind\nKleve;51.79;6.14;Stadt\n{line}\n"

    checked = parse(data.encode(), "kreis.csv")

    assert not checked.ok and checked.entries == ()
    assert expected in [str(error) for error in checked.errors]


def test_every_wrong_line_is_reported_not_just_the_first() -> None:
    data = "name;lat;lon\nA;x;6\nB;51;y\nC;51;6\n;51;6\n"

    assert messages(data) == [
        "Zeile 2: Breitengrad „x“ ist keine Zahl",
        "Zeile 3: Längengrad „y“ ist keine Zahl",
        "Zeile 5: Name fehlt",
    ]


def test_two_names_that_give_the_same_id_are_refused() -> None:
    assert messages("name;lat;lon\nSankt-Tönis;51.3;6.4\nSankt Tönis;51.3;6.4\n") == [
        "Zeile 3: „Sankt Tönis“ ergibt dieselbe Kennung „sankt-toenis“ wie Zeile 2"
    ]


def test_a_wrong_header_an_empty_file_and_a_file_not_in_utf8_say_what_to_do() -> None:
    assert messages("Ort;Breite\nKleve;51.79\n") == [
        "Zeile 1: In der Kopfzeile fehlt lon; erwartet: name;lat;lon;kind"
    ]
    assert messages("Stadt;lat;lon;Einwohner\n") == [
        "Zeile 1: Unbekannte Spalte „Einwohner“ in der Kopfzeile; erwartet: name;lat;lon;kind"
    ]
    assert messages("name;lat;lon\n") == ["Die Datei enthält keine Gemeinde."]
    assert messages("") == ["Die Datei ist leer."]
    assert "UTF-8" in messages("name;lat;lon\nNörvenich;50.8;6.6\n".encode("cp1252"))[0]


def test_the_json_format_keeps_its_ids_and_names_entries_by_number() -> None:
    good = {
        "region": "Kreis X",
        "municipalities": [{"id": "a-stadt", "name": "A", "kind": "Stadt", "lat": 51, "lon": 6}],
    }
    bad = {
        "municipalities": [
            {"id": "A B", "name": "A", "lat": "51,1", "lon": 6},
            {"name": "B", "lat": 99, "lon": 6},
        ]
    }

    checked = parse(json.dumps(good).encode(), "x.json")

    assert checked.region == "Kreis X"
    assert checked.entries == (RegionEntry("a-stadt", "A", "Stadt", 51.0, 6.0),)
    assert messages(json.dumps(bad), "x.json") == [
        "Eintrag 1: Kennung „A B“: nur Kleinbuchstaben, Ziffern und Bindestriche erlaubt",
        "Eintrag 2: Breitengrad 99 liegt nicht in Deutschland (erwartet zwischen 47 und 55,5)",
    ]
    assert messages("{kaputt", "x.json") == ["Die JSON-Datei ist nicht lesbar (Zeile 1)."]


# NRW's bounding box, with a little margin for rounding.
NRW_LAT = (50.30, 52.55)
NRW_LON = (5.85, 9.48)
SHIPPED_COUNTS = {
    "kreis-heinsberg": 10,
    "kreis-kleve": 16,
    "kreis-viersen": 9,
    "kreis-dueren": 15,
    "staedteregion-aachen": 10,
}


@pytest.mark.parametrize("name", sorted(SHIPPED_COUNTS))
def test_every_shipped_district_file_reads_cleanly_inside_nrw(name: str) -> None:
    checked = shipped_region(name)

    assert checked.ok, checked.errors
    assert len(checked.entries) == SHIPPED_COUNTS[name]
    assert {entry.kind for entry in checked.entries} <= {"Stadt", "Gemeinde"}
    for entry in checked.entries:
        assert NRW_LAT[0] <= entry.lat <= NRW_LAT[1] and NRW_LON[0] <= entry.lon <= NRW_LON[1], entry
        assert entry.id == slug(entry.name), entry


def test_the_shipped_files_are_exactly_the_five_districts() -> None:
    assert shipped_names() == sorted(SHIPPED_COUNTS)


def test_a_file_too_large_for_a_region_is_refused_before_reading_it() -> None:
    assert messages(b"name;lat;lon\n" + b"x" * (MAX_BYTES + 1)) == [
        "Die Datei ist zu groß (höchstens 256 KB)."
    ]


@pytest.mark.parametrize("bad", ["Goch\u202eoknevoK", "\u200b\u200b", "Kleve\x00"])
def test_a_name_with_control_bidi_or_only_invisible_characters_is_refused_with_its_line(bad):
    region = parse(f"name;lat;lon\nKleve;51.79;6.14\n{bad};51.68;6.16\n".encode(), "kreis.csv")

    assert not region.entries
    assert {error.line for error in region.errors} == {3}
    assert any("Name:" in error.message for error in region.errors)
