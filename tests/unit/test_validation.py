"""The field types of the edge models: SIREN, phone, EU VAT, country, single-line text."""

from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from comptasecure.validation import CountryCode, EuVatNumber, Name, Phone, Siren, luhn_valid, refuse_control_characters


def refusal(adapter: TypeAdapter[Any], value: Any) -> dict[str, Any]:
    with pytest.raises(ValidationError) as refused:
        adapter.validate_python(value)
    [error] = refused.value.errors()
    return dict(error)


@pytest.mark.parametrize("digits", ["732829320", "552100554", "4532015112830366"])
def test_luhn_accepts_valid_keys(digits: str) -> None:
    assert luhn_valid(digits)


@pytest.mark.parametrize("digits", ["732829321", "552100555", "4532015112830367"])
def test_luhn_refuses_a_changed_digit(digits: str) -> None:
    assert not luhn_valid(digits)


@pytest.mark.parametrize(("given", "stored"), [("732829320", "732829320"), ("732 829 320", "732829320")])
def test_a_siren_is_nine_digits_with_a_valid_key_spaces_removed(given: str, stored: str) -> None:
    assert TypeAdapter(Siren).validate_python(given) == stored


@pytest.mark.parametrize("siren", ["732829321", "73282932", "7328293200", "73282932A", "732-829-320", ""])
def test_a_wrong_siren_is_refused_in_french(siren: str) -> None:
    error = refusal(TypeAdapter(Siren), siren)
    assert "Le SIREN doit comporter 9 chiffres et une clé valide." in error["msg"]


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("01.23.45.67.89", "+33123456789"),
        ("(06) 12-34-56-78", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+4915112345678", "+4915112345678"),
    ],
)
def test_phones_are_stored_in_e164(given: str, stored: str) -> None:
    assert TypeAdapter(Phone).validate_python(given) == stored


@pytest.mark.parametrize("phone", ["0012345678", "06 12 34 56", "+0612345678", "+331234", "06 12 34 56 78 90", "abc"])
def test_a_wrong_phone_is_refused_in_french(phone: str) -> None:
    assert "format international" in refusal(TypeAdapter(Phone), phone)["msg"]


def test_a_phone_over_30_characters_is_refused_before_it_is_read() -> None:
    assert refusal(TypeAdapter(Phone), "0" * 31)["type"] == "string_too_long"


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("FR40303265045", "FR40303265045"),
        ("fr 40 303 265 045", "FR40303265045"),
        ("DE123456789", "DE123456789"),
        ("EL123456789", "EL123456789"),
        ("NL123456789B01", "NL123456789B01"),
        ("be0123.456.789", "BE0123456789"),
    ],
)
def test_eu_vat_numbers_follow_their_countrys_format(given: str, stored: str) -> None:
    assert TypeAdapter(EuVatNumber).validate_python(given) == stored


@pytest.mark.parametrize(
    "vat", ["FR4030326504", "GR123456789", "DE12345678", "NL123456789A01", "US123456789", "FRIO303265045"]
)
def test_a_vat_number_of_the_wrong_format_is_refused(vat: str) -> None:
    assert "TVA intracommunautaire" in refusal(TypeAdapter(EuVatNumber), vat)["msg"]


@pytest.mark.parametrize(("given", "stored"), [("FR", "FR"), ("be", "BE"), ("gb", "GB")])
def test_countries_are_iso_alpha2_codes(given: str, stored: str) -> None:
    assert TypeAdapter(CountryCode).validate_python(given) == stored


@pytest.mark.parametrize("country", ["UK", "XX", "EU"])
def test_a_code_no_country_has_is_refused(country: str) -> None:
    assert "ISO 3166-1" in refusal(TypeAdapter(CountryCode), country)["msg"]


@pytest.mark.parametrize(
    "text", ["Dupont\r\nBcc: x@y.fr", "tab\there", "nul\x00", "esc\x1b[31m", "del\x7f", "deux\u2028lignes"]
)
def test_control_characters_are_refused_in_any_text_field(text: str) -> None:
    assert refusal(TypeAdapter(Name), text)["type"] == "control_character"
    with pytest.raises(ValueError):
        refuse_control_characters([text])


def test_a_name_is_trimmed_and_bounded() -> None:
    assert TypeAdapter(Name).validate_python("  Hélène d'Arc-Müller ") == "Hélène d'Arc-Müller"
    assert refusal(TypeAdapter(Name), "   ")["type"] == "string_too_short"
    assert refusal(TypeAdapter(Name), "x" * 101)["type"] == "string_too_long"
    assert refuse_control_characters(42) == 42
