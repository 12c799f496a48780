"""FEC file naming (article A.47 A-1 of the LPF): <SIREN>FEC<closing date AAAAMMJJ>, checked, never refused."""

import pytest

from comptasecure.domain.fecs import naming_warning


@pytest.mark.parametrize(
    "file_name",
    ["732829320FEC20251231.txt", "732829320FEC20251231", "732829320fec20240229.csv", "732829320FEC20251231.xml"],
)
def test_official_names_raise_no_warning(file_name: str) -> None:
    assert naming_warning(file_name) is None


@pytest.mark.parametrize(
    "file_name",
    [
        "grand-livre-2025.txt",
        "73282932FEC20251231.txt",  # eight digits
        "732829320FEC2025123.txt",  # seven-digit date
        "732829320_FEC_20251231.txt",
        "732829320FEC20251231.backup",  # an extension of more than four characters
        " 732829320FEC20251231.txt",
    ],
)
def test_names_not_of_the_official_form_say_so(file_name: str) -> None:
    assert naming_warning(file_name) == (
        "Le nom ne suit pas la forme officielle <SIREN>FEC<AAAAMMJJ> (ex. 732829320FEC20251231.txt)."
    )


def test_a_siren_with_a_wrong_check_digit_is_named() -> None:
    assert naming_warning("732829321FEC20251231.txt") == "Le SIREN du nom de fichier n'a pas une clé valide."


@pytest.mark.parametrize("closing", ["20250231", "20251301", "20230229", "00000000"])
def test_a_closing_date_that_is_no_date_is_named(closing: str) -> None:
    assert naming_warning(f"732829320FEC{closing}.txt") == (
        "La date de clôture du nom de fichier n'est pas une date valide (AAAAMMJJ)."
    )
