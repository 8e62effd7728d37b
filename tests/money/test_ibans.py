"""IBAN validation, masking, and encryption at rest bound to the row."""

import secrets
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sprachmittlerpool.ibans import (
    DecryptionError,
    InvalidIban,
    InvalidKeyError,
    bic_for,
    decrypt_iban,
    encrypt_iban,
    mask_iban,
    new_key,
    parse_key,
    validate_iban,
)

KNOWN_VALID = (
    "DE89370400440532013000",
    "DE02370502990000684712",
    "GB82WEST12345698765432",
    "NL91ABNA0417164300",
    "AT611904300234573201",
    "FR1420041010050500013M02606",
    "BE68539007547034",
)
KEY = parse_key(new_key())


def with_check_digits(country: str, bban: str) -> str:
    """Compute the mod-97 check digits, independently of the code under test."""
    digits = "".join(str(int(char, 36)) for char in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


valid_ibans = st.one_of(
    st.sampled_from(KNOWN_VALID),
    st.text(string.digits, min_size=18, max_size=18).map(lambda bban: with_check_digits("DE", bban)),
)


def test_a_valid_iban_comes_back_in_compact_form() -> None:
    assert validate_iban(" de89 3704 0044 0532 0130 00 ") == "DE89370400440532013000"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("DE89370400440532013001", "Die IBAN ist ungültig (Prüfziffer stimmt nicht)."),
        ("DE8937040044053201300", "Die IBAN ist ungültig (falsche Länge für dieses Land)."),
        ("XX89370400440532013000", "Die IBAN ist ungültig (unbekannter Ländercode)."),
        ("", "Bitte eine IBAN angeben."),
    ],
)
def test_an_invalid_iban_is_refused_with_a_german_reason(text: str, message: str) -> None:
    with pytest.raises(InvalidIban) as caught:
        validate_iban(text)

    assert str(caught.value) == message


@given(iban=valid_ibans, data=st.data())
def test_every_single_character_substitution_is_rejected(iban: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(iban) - 1))
    replacement = data.draw(
        st.sampled_from(string.ascii_uppercase + string.digits).filter(lambda c: c != iban[position])
    )
    changed = iban[:position] + replacement + iban[position + 1 :]

    with pytest.raises(InvalidIban):
        validate_iban(changed)


@given(iban=valid_ibans)
def test_generated_ibans_are_valid(iban: str) -> None:
    assert validate_iban(iban) == iban


def test_mask_shows_country_check_digits_and_last_four_only() -> None:
    assert mask_iban("DE89370400440532013000") == "DE89 **** **** **** **30 00"


def test_bic_is_derived_where_the_registry_knows_the_bank() -> None:
    assert bic_for("DE89370400440532013000") == "COBADEFFXXX"
    assert bic_for("not an iban") is None


@given(iban=valid_ibans, row_id=st.text(min_size=1, max_size=20))
def test_encryption_round_trips_for_the_same_row(iban: str, row_id: str) -> None:
    token = encrypt_iban(iban, key=KEY, row_id=row_id)

    assert token.startswith("v1:")
    assert iban not in token
    assert decrypt_iban(token, key=KEY, row_id=row_id) == iban


@given(iban=valid_ibans, row_id=st.text(max_size=20), other=st.text(max_size=20))
def test_decrypting_for_another_row_fails(iban: str, row_id: str, other: str) -> None:
    token = encrypt_iban(iban, key=KEY, row_id=row_id)

    if other != row_id:
        with pytest.raises(DecryptionError):
            decrypt_iban(token, key=KEY, row_id=other)


def test_decrypting_with_another_key_or_tampered_data_fails() -> None:
    token = encrypt_iban("DE89370400440532013000", key=KEY, row_id="v1")
    middle = len(token) // 2
    tampered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]

    with pytest.raises(DecryptionError):
        decrypt_iban(token, key=parse_key(new_key()), row_id="v1")
    with pytest.raises(DecryptionError):
        decrypt_iban(tampered, key=KEY, row_id="v1")


def test_the_same_iban_encrypts_differently_each_time() -> None:
    first = encrypt_iban("DE89370400440532013000", key=KEY, row_id="v1")

    assert encrypt_iban("DE89370400440532013000", key=KEY, row_id="v1") != first


@pytest.mark.parametrize("text", ["", "kurz", "!!!not base64!!!", "QUJD"])
def test_a_malformed_key_is_refused_clearly(text: str) -> None:
    with pytest.raises(InvalidKeyError):
        parse_key(text)


def test_new_key_parses_to_32_bytes() -> None:
    assert len(parse_key(new_key())) == 32


def test_a_key_as_config_generates_it_unpadded_is_accepted() -> None:
    assert len(parse_key(secrets.token_urlsafe(32))) == 32
