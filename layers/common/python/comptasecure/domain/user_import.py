"""Inviting users from a CSV file (SPEC R-USR-3): the template to fill, and the file people really upload.

French Excel saves "CSV" with semicolons, in Windows-1252 or UTF-8 with a BOM, with CRLF line ends;
other tools use commas and plain UTF-8. All of these are read; headers and role names are matched
without regard to case, accents or spacing. Rows then go through the same invitation as the form.
"""

import codecs
import csv
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from comptasecure.domain import users
from comptasecure.domain.membership import Role
from comptasecure.domain.user_rows import MAX_CELL_LENGTH, MAX_ROWS, NewUser
from comptasecure.errors import FileTooLarge, MissingColumn, TooManyRows, UnreadableCsv

MAX_BYTES = 1_000_000
TEMPLATE_FILE_NAME = "modele-import-utilisateurs.csv"
TEMPLATE_HEADERS = ("email", "prenom", "nom", "role")
TEMPLATE_EXAMPLE = ("marie.martin@exemple.fr", "Marie", "Martin", "utilisateur")

# Normalised header (lower case, no accent, letters only) -> field of a row.
COLUMNS = {
    "email": "email",
    "mail": "email",
    "courriel": "email",
    "adresseemail": "email",
    "adressemail": "email",
    "prenom": "first_name",
    "firstname": "first_name",
    "nom": "last_name",
    "nomdefamille": "last_name",
    "lastname": "last_name",
    "role": "role",
}
ROLES = {
    "admin": Role.ADMIN,
    "administrateur": Role.ADMIN,
    "administratrice": Role.ADMIN,
    "member": Role.MEMBER,
    "membre": Role.MEMBER,
    "utilisateur": Role.MEMBER,
    "utilisatrice": Role.MEMBER,
    # Refused on its row by the invitation, with the reason: the owner is never invited.
    "proprietaire": Role.OWNER,
    "owner": Role.OWNER,
}


def template() -> bytes:
    """Header row and one example row, semicolon-separated UTF-8 with a BOM: Excel opens it as is."""
    lines = [";".join(TEMPLATE_HEADERS), ";".join(TEMPLATE_EXAMPLE)]
    return codecs.BOM_UTF8 + ("\r\n".join(lines) + "\r\n").encode("utf-8")


def import_csv(account_id: str, inviter_id: str, data: bytes) -> list[users.InvitationResult]:
    """Invite every row of the file; each result also names the row's line in the file."""
    lines, rows = parse(data)
    results = users.invite(account_id, inviter_id, rows)
    return [replace(result, line=line) for line, result in zip(lines, results, strict=True)]


def parse(data: bytes) -> tuple[list[int], list[NewUser]]:
    """The file's rows with their line numbers; blank rows are skipped, unknown columns ignored."""
    if len(data) > MAX_BYTES:
        raise FileTooLarge(megabytes=MAX_BYTES // 1_000_000)
    text = _decode(data)
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(_rows(reader), None)
    fields = [COLUMNS.get(_normalise(cell)) for cell in header or []]
    if "email" not in fields:
        raise MissingColumn()
    lines: list[int] = []
    rows: list[NewUser] = []
    for cells in _rows(reader):
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) == MAX_ROWS:
            raise TooManyRows(rows=MAX_ROWS)
        # A cell cut at the model's bound still fails the domain's own limits, on its row.
        values = {
            field: cell.strip()[:MAX_CELL_LENGTH]
            for field, cell in zip(fields, cells, strict=False)
            if field and cell.strip()
        }
        if "role" in values:
            values["role"] = ROLES.get(_normalise(values["role"]), values["role"])
        lines.append(reader.line_num)
        rows.append(NewUser(email=values.pop("email", ""), **values))
    return lines, rows


def _rows(reader: Any) -> Iterator[list[str]]:
    """The reader's rows; a row the csv module cannot read (a cell beyond its 131,072-character limit,
    the sign of an unclosed quote or of a file that is not a CSV) refuses the whole file: where that
    row ends, and so where the next ones start, cannot be known."""
    try:
        yield from reader
    except csv.Error as error:
        raise UnreadableCsv(line=reader.line_num) from error


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Not UTF-8: what French Excel writes when it does not write UTF-8.
        return data.decode("cp1252", errors="replace")


def _normalise(value: str) -> str:
    stripped = unicodedata.normalize("NFKD", value.strip().lower())
    return "".join(char for char in stripped if char.isalnum() and not unicodedata.combining(char))
