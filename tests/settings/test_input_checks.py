"""What admins type for the pool's identity, paying account and grant: checked, with German messages."""

from __future__ import annotations

import pytest

from sprachmittlerpool.grants import check_grant, parse_euros
from sprachmittlerpool.identity import PoolIdentity, check_account, check_identity

IDENTITY = {
    "name": "Sprachmittlerpool Kreis Kleve",
    "organisation": "Kommunales Integrationszentrum Kreis Kleve",
    "postal_address": "Nassauerallee 15–23\r\n47533 Kleve",
    "phone": "+49 2821 85-0",
    "email": " KI@Kreis-Kleve.example ",
    "opening_hours": "Mo–Fr 8–12 Uhr",
    "impressum_md": "## Anbieter\n\nKreis Kleve",
    "privacy_md": "",
}


def test_a_complete_identity_is_taken_trimmed_with_line_breaks_unified() -> None:
    values, errors = check_identity(IDENTITY)

    assert errors == {}
    assert values["postal_address"] == "Nassauerallee 15–23\n47533 Kleve"
    assert values["email"] == "ki@kreis-kleve.example"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "  ", "Bitte den Namen des Pools angeben."),
        (
            "name",
            "Pool\nBcc: x@evil.example",
            "Name des Pools: bitte ohne Zeilenumbrüche oder Steuerzeichen.",
        ),
        (
            "email",
            "",
            "Bitte eine E-Mail-Adresse angeben. An sie gehen die Antworten auf alle E-Mails des Pools.",
        ),
        ("email", "ki@", "Bitte eine gültige E-Mail-Adresse angeben. An sie gehen die Antworten"),
        ("email", "a@b.example\r\nBcc: c@evil.example", "E-Mail-Adresse: bitte ohne Zeilenumbrüche"),
        ("phone", "0800 ruf an", "Bitte nur Ziffern, Leerzeichen und + ( ) / - verwenden"),
        ("organisation", "x" * 201, "Träger: höchstens 200 Zeichen."),
        ("impressum_md", "a\x00b", "Impressum: bitte ohne Steuerzeichen."),
        ("privacy_md", "x" * 50_001, "Datenschutzhinweis: höchstens 50.000 Zeichen."),
        ("opening_hours", ["Mo"], "Sprechzeiten: bitte als Text angeben."),
    ],
)
def test_a_wrong_field_gets_a_german_message_at_the_field(field: str, value: object, message: str) -> None:
    _values, errors = check_identity({**IDENTITY, field: value})

    assert list(errors) == [field]
    assert errors[field].startswith(message)


def test_the_footer_data_splits_lines_and_builds_absolute_links_and_a_dialable_number() -> None:
    pool = PoolIdentity(
        name="P",
        postal_address="Straße 1\n\n 47533 Kleve ",
        phone="+49 2821 85-0",
        base_url="https://pool.example/",
    )

    assert pool.address_lines == ["Straße 1", "47533 Kleve"]
    assert pool.tel_uri == "+492821850"
    assert (pool.impressum_url, pool.privacy_url) == (
        "https://pool.example/impressum",
        "https://pool.example/datenschutz",
    )


ACCOUNT = {"account_holder": "Kreis Kleve", "iban": "DE89 3704 0044 0532 0130 00", "bic": ""}


def test_a_valid_iban_is_taken_compact_and_its_bic_found_in_the_bank_registry() -> None:
    account, errors = check_account(ACCOUNT, has_iban=False)

    assert errors == {}
    assert account is not None
    assert (account.holder, account.iban, account.bic) == (
        "Kreis Kleve",
        "DE89370400440532013000",
        "COBADEFFXXX",
    )


def test_an_empty_iban_keeps_the_stored_one_when_there_is_one() -> None:
    account, errors = check_account({**ACCOUNT, "iban": "", "bic": "cobadeffxxx"}, has_iban=True)

    assert errors == {} and account is not None
    assert (account.iban, account.bic) == (None, "COBADEFFXXX")


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"iban": "DE89370400440532013001"}, "iban", "Die IBAN ist ungültig (Prüfziffer stimmt nicht)."),
        ({"iban": "DE8937040044053201300"}, "iban", "Die IBAN ist ungültig (falsche Länge für dieses Land)."),
        ({"iban": ""}, "iban", "Bitte eine IBAN angeben."),
        ({"iban": "BR1800360305000010009795493C1"}, "iban", "Die IBAN liegt außerhalb des SEPA-Raums"),
        ({"bic": "COBADEFF1"}, "bic", "Die BIC ist ungültig (sie hat 8 oder 11 Zeichen)."),
        ({"bic": "COBAXXFFXXX"}, "bic", "Die BIC ist ungültig (unbekannter Ländercode"),
        ({"account_holder": ""}, "account_holder", "Bitte den Kontoinhaber angeben"),
        (
            {"account_holder": "☎✉ ★★"},  # nothing a bank file can carry (other scripts are transliterated)
            "account_holder",
            "Bitte den Kontoinhaber in lateinischer Schrift",
        ),
        ({"account_holder": "x" * 71}, "account_holder", "Kontoinhaber: höchstens 70 Zeichen."),
    ],
)
def test_a_wrong_account_field_gets_a_german_message_and_nothing_is_taken(
    form: dict[str, str], field: str, message: str
) -> None:
    account, errors = check_account({**ACCOUNT, **form}, has_iban=False)

    assert account is None
    assert list(errors) == [field]
    assert errors[field].startswith(message)


def test_an_iban_whose_bank_the_registry_does_not_know_needs_the_bic_typed() -> None:
    _account, errors = check_account({**ACCOUNT, "iban": "DE44123456780000202051"}, has_iban=False)

    assert errors == {"bic": "Bitte die BIC angeben. Sie lässt sich aus dieser IBAN nicht ermitteln."}


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("50.000,00", 5_000_000),
        ("50000", 5_000_000),
        ("50.000", 5_000_000),
        ("50 000,5", 5_000_050),
        ("1.234.567,89 €", 123_456_789),
        ("\u00a048.500,00\u00a0EUR ", 4_850_000),
        ("0", 0),
        ("0,01", 1),
    ],
)
def test_german_amounts_are_read_to_the_cent(text: str, cents: int) -> None:
    assert parse_euros(text) == cents


@pytest.mark.parametrize(
    "text", ["", "fünfzigtausend", "50,000.00", "50.00", "-5.000,00", "5.00.000", "50000,001", "1e5", "٥٠٠٠٠"]
)
def test_an_amount_that_is_not_a_german_euro_amount_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(ValueError, match="z. B. 50.000,00"):
        parse_euros(text)


def test_an_implausibly_high_grant_and_a_year_out_of_range_are_refused_at_their_fields() -> None:
    checked, errors = check_grant({"year": "1999", "amount": "50.000.000,00"})

    assert checked is None
    assert errors == {
        "year": "Bitte ein Jahr zwischen 2000 und 2100 angeben, z. B. 2026.",
        "amount": "Der Betrag ist unplausibel hoch; bitte prüfen (höchstens 10.000.000,00 €).",
    }
