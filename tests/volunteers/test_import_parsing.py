"""Reading a pool's list and checking its rows, without a server or database."""

from __future__ import annotations

from datetime import date, time

import pytest

from sprachmittlerpool.volunteer_import import (
    Catalog,
    ImportFileError,
    check_rows,
    parse_availability,
    read_table,
)

CATALOG = Catalog(
    languages={"uk": "Ukrainisch", "ru": "Russisch", "fa": "Persisch (Farsi)", "tr": "Türkisch"},
    municipalities={
        "heinsberg": "Heinsberg",
        "hueckelhoven": "Hückelhoven",
        "uebach-palenberg": "Übach-Palenberg",
    },
)
HEADER = "Name;E-Mail;Telefon;Geschlecht;Wohnort;Entfernung km;Sprachen;Verfügbarkeit;Einsätze pro Woche;IBAN"


def test_availability_reads_days_ranges_and_short_hours():
    assert parse_availability("Mo 08:00-13:00; Mi 14-18") == [(0, time(8), time(13)), (2, time(14), time(18))]
    assert parse_availability("Di-Do 9-12") == [(d, time(9), time(12)) for d in (1, 2, 3)]
    assert parse_availability("Sa, So 10:30 – 12 Uhr") == [
        (5, time(10, 30), time(12)),
        (6, time(10, 30), time(12)),
    ]
    assert parse_availability("") == []


@pytest.mark.parametrize("text", ["Xy 8-12", "Mo 12-8", "Mo 25-26", "Mo früh"])
def test_availability_rejects_nonsense(text):
    with pytest.raises(ValueError):
        parse_availability(text)


def test_municipalities_and_languages_tolerate_case_umlauts_and_names():
    assert CATALOG.municipality_id("HÜCKELHOVEN") == "hueckelhoven"
    assert CATALOG.municipality_id("Uebach-Palenberg") == "uebach-palenberg"
    assert CATALOG.municipality_id("übach palenberg") == "uebach-palenberg"
    assert CATALOG.language_code("türkisch") == "tr"
    assert CATALOG.language_code("Persisch") == "fa"
    assert CATALOG.language_code("UK") == "uk"
    assert CATALOG.language_code("Klingonisch") is None


def test_csv_in_cp1252_with_commas_is_read():
    data = "Name,E-Mail,Wohnort,Sprachen\nJürgen Öz,j@example.org,Hückelhoven,Türkisch\n".encode("cp1252")

    rows = read_table(data, "liste.csv")

    assert rows == [
        {"name": "Jürgen Öz", "email": "j@example.org", "home": "Hückelhoven", "languages": "Türkisch"}
    ]


def test_missing_required_column_is_a_file_error():
    with pytest.raises(ImportFileError, match="Sprachen"):
        read_table(b"Name;E-Mail;Wohnort\nA;a@b.de;Heinsberg\n", "liste.csv")


def test_each_bad_row_is_reported_with_its_line_number():
    csv_text = "\n".join(
        [
            HEADER,
            "Olena K.;olena@example.org;;w;Heinsberg;25;uk, ru;Mo 08:00-13:00;3;DE89 3704 0044 0532 0130 00",
            "Ali R.;ali@example.org;;m;Heinsberg;;Klingonisch;;;",
            "Mia;olena@example.org;;;Atlantis;zehn;uk;Mo 13-8;;DE00 1234",
        ]
    )
    check = check_rows(read_table(("\ufeff" + csv_text).encode(), "liste.csv"), CATALOG, set())

    assert not check.ok
    assert "Zeile 3: Sprache „Klingonisch“ ist unbekannt." in check.errors
    assert any(e.startswith("Zeile 4: Wohnort „Atlantis“") for e in check.errors)
    assert any(e.startswith("Zeile 4: Entfernung") for e in check.errors)
    assert any(e.startswith("Zeile 4: Verfügbarkeit") for e in check.errors)
    assert any(e.startswith("Zeile 4: Die IBAN ist ungültig") for e in check.errors)
    assert not any(e.startswith("Zeile 2") for e in check.errors)


def test_existing_and_repeated_emails_are_errors():
    csv_text = f"{HEADER}\nA;a@example.org;;;Heinsberg;;uk;;;\nB;A@example.org;;;Heinsberg;;uk;;;\nC;c@example.org;;;Heinsberg;;uk;;;\n"

    check = check_rows(read_table(csv_text.encode(), "x.csv"), CATALOG, {"c@example.org"})

    assert check.errors == [
        "Zeile 3: Die E-Mail-Adresse a@example.org steht schon in Zeile 2.",
        "Zeile 4: Die E-Mail-Adresse c@example.org gehört schon einer Person im Pool.",
    ]


QUALIFIED_HEADER = (
    "Name;E-Mail;Wohnort;Sprachen;Telefon/Video;Grundschulung am;Verschwiegenheitserklärung am;"
    "Führungszeugnis ausgestellt am;Führungszeugnis gültig bis;Austauschtreffen"
)


def test_qualification_and_remote_columns_are_read_with_german_dates():
    csv_text = "\n".join(
        [
            QUALIFIED_HEADER,
            "Olena K.;olena@example.org;Heinsberg;uk;ja;03.12.2025;3.12.2025;15.01.2026;14.01.2031;20.11.2026",
            "Ali R.;ali@example.org;Heinsberg;uk;nein;03.12.2025;;;;",
            "Mia S.;mia@example.org;Heinsberg;uk;;;;;;",
        ]
    )

    check = check_rows(read_table(csv_text.encode(), "liste.csv"), CATALOG, set())

    assert check.errors == []
    olena, ali, mia = check.records
    assert olena.remote and not ali.remote and not mia.remote
    assert olena.qualifications == {
        "trained": (date(2025, 12, 3), None),
        "confidentiality": (date(2025, 12, 3), None),
        "clearance": (date(2026, 1, 15), date(2031, 1, 14)),
        "exchange": (date(2026, 11, 20), None),
    }
    assert ali.qualifications == {"trained": (date(2025, 12, 3), None)}
    assert mia.qualifications == {}


def test_mistakes_in_the_new_columns_name_row_column_and_what_is_wrong():
    csv_text = "\n".join(
        [
            QUALIFIED_HEADER,
            "Olena K.;olena@example.org;Heinsberg;uk;vielleicht;31.02.2026;gestern;15.01.2026;14.01.2025;",
            "Ali R.;ali@example.org;Heinsberg;uk;ja;03.12.25;;;2031-01-14;",
        ]
    )

    check = check_rows(read_table(csv_text.encode(), "liste.csv"), CATALOG, set())

    assert check.errors == [
        "Zeile 2: Spalte „Telefon/Video“: „vielleicht“ – bitte „ja“ oder „nein“ eintragen.",
        "Zeile 2: Spalte „Grundschulung am“: „31.02.2026“ ist kein Datum (bitte TT.MM.JJJJ, etwa 03.12.2026).",
        "Zeile 2: Spalte „Verschwiegenheitserklärung am“: „gestern“ ist kein Datum (bitte TT.MM.JJJJ, etwa 03.12.2026).",
        "Zeile 2: Spalte „Führungszeugnis gültig bis“: Der 14.01.2025 liegt vor dem Ausstellungsdatum 15.01.2026.",
        "Zeile 3: Spalte „Grundschulung am“: „03.12.25“ ist kein Datum (bitte TT.MM.JJJJ, etwa 03.12.2026).",
    ]


def test_a_list_without_the_new_columns_reads_as_before():
    csv_text = f"{HEADER}\nA;a@example.org;;;Heinsberg;;uk;;;\n"

    (record,) = check_rows(read_table(csv_text.encode(), "x.csv"), CATALOG, set()).records

    assert (record.remote, record.qualifications, record.phone) == (False, {}, "")
