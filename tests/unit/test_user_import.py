"""The bulk import's CSV reading (R-USR-3): what French Excel and other tools really save."""

import codecs

import pytest

from comptasecure.domain import user_import
from comptasecure.domain.user_rows import MAX_CELL_LENGTH, MAX_ROWS
from comptasecure.errors import InvalidInput, TooLarge


def test_the_template_reads_back_as_its_example_row() -> None:
    lines, [row] = user_import.parse(user_import.template())
    assert lines == [2]
    assert (row.email, row.first_name, row.last_name, row.role) == (
        "marie.martin@exemple.fr",
        "Marie",
        "Martin",
        "member",
    )


def test_french_excel_semicolons_windows_1252_and_crlf() -> None:
    data = "Courriel;Prénom;Nom;Rôle\r\nhélène@cabinet.fr;Hélène;Léger;Administratrice\r\n".encode("cp1252")
    _, [row] = user_import.parse(data)
    assert (row.email, row.first_name, row.last_name, row.role) == ("hélène@cabinet.fr", "Hélène", "Léger", "admin")


def test_utf8_with_a_bom_and_commas() -> None:
    data = codecs.BOM_UTF8 + "E-mail,First name,Last name,Role\nzoé@cabinet.fr,Zoé,Durand,membre\n".encode()
    _, [row] = user_import.parse(data)
    assert (row.email, row.first_name, row.role) == ("zoé@cabinet.fr", "Zoé", "member")


@pytest.mark.parametrize(
    ("header", "field"),
    [("Adresse e-mail", "email"), ("  MAIL ", "email"), ("Nom de famille", "last_name"), ("PRÉNOM", "first_name")],
)
def test_headers_are_matched_whatever_their_case_accents_or_spacing(header: str, field: str) -> None:
    data = (
        f"email;{header}\nx@cabinet.fr;valeur\n".encode() if field != "email" else f"{header}\nx@cabinet.fr\n".encode()
    )
    _, [row] = user_import.parse(data)
    assert getattr(row, field) == ("x@cabinet.fr" if field == "email" else "valeur")


def test_blank_rows_are_skipped_and_each_row_keeps_its_line_in_the_file() -> None:
    data = b"email;role\n\na@cabinet.fr;utilisateur\n ; \nb@cabinet.fr;chef\n"
    lines, rows = user_import.parse(data)
    assert lines == [3, 5]
    # A role the file names but no role maps to is kept as written: the invitation refuses it on its row.
    assert [(row.email, row.role) for row in rows] == [("a@cabinet.fr", "member"), ("b@cabinet.fr", "chef")]


def test_unknown_columns_are_ignored_and_missing_cells_left_empty() -> None:
    _, [row] = user_import.parse(b"service;email;nom\nCompta;c@cabinet.fr\n")
    assert (row.email, row.last_name, row.role) == ("c@cabinet.fr", None, None)


def test_a_row_without_an_email_cell_still_reaches_the_invitation() -> None:
    _, [row] = user_import.parse(b"email;nom\n;Martin\n")
    assert (row.email, row.last_name) == ("", "Martin")


def test_cells_are_cut_at_the_models_bound() -> None:
    _, [row] = user_import.parse(f"email;nom\nd@cabinet.fr;{'x' * (MAX_CELL_LENGTH + 50)}\n".encode())
    assert row.last_name == "x" * MAX_CELL_LENGTH


@pytest.mark.parametrize("data", [b"", b"nom;prenom\nMartin;Paul\n", b"\xff\xfe\x00"])
def test_a_file_without_an_email_column_is_refused(data: bytes) -> None:
    with pytest.raises(InvalidInput) as refused:
        user_import.parse(data)
    assert (refused.value.code, refused.value.field) == ("missing_column", "email")


def test_an_unclosed_quote_refuses_the_whole_file_naming_its_line() -> None:
    data = b'email;nom\na@cabinet.fr;"Martin\n' + b"x" * 140_000 + b"\n"
    with pytest.raises(InvalidInput) as refused:
        user_import.parse(data)
    assert (refused.value.code, refused.value.field) == ("unreadable_csv", "file")
    assert "ligne" in refused.value.message


def test_more_rows_than_allowed_are_refused() -> None:
    data = ("email\n" + "".join(f"u{n}@cabinet.fr\n" for n in range(MAX_ROWS + 1))).encode()
    with pytest.raises(TooLarge):
        user_import.parse(data)
    lines, rows = user_import.parse(("email\n" + "".join(f"u{n}@cabinet.fr\n" for n in range(MAX_ROWS))).encode())
    assert len(rows) == MAX_ROWS and lines[-1] == MAX_ROWS + 1


def test_a_file_over_the_size_limit_is_refused_before_it_is_read() -> None:
    with pytest.raises(TooLarge):
        user_import.parse(b"email\n" + b"x" * user_import.MAX_BYTES)
