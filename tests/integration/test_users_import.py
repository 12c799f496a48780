"""CSV: the template to download, and the files people really upload (French Excel first)."""

import codecs
from typing import Any

from tests import seed
from tests.helpers import Client, join, owner_of_new_account, partition, unique_email


def upload(client: Client, data: bytes, content_type: str = "text/csv") -> Any:
    return client.post("/users/import", raw=data, content_type=content_type)


def test_template_is_a_french_excel_csv(client: Client) -> None:
    owner = owner_of_new_account(client)
    reply = owner.client.get("/users/import-template")
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in reply.headers["Content-Disposition"]
    assert reply.raw.startswith(codecs.BOM_UTF8)
    lines = reply.raw[3:].decode("utf-8").split("\r\n")
    assert lines[0] == "email;prenom;nom;role"
    assert lines[1].count(";") == 3 and "@" in lines[1]
    assert lines[2:] == [""]


def test_french_excel_file_in_windows_1252_imports_and_a_broken_row_is_reported(client: Client) -> None:
    owner = owner_of_new_account(client)
    seed.account_type(owner.account_id, "expert_comptable")
    first, third = unique_email("helene"), unique_email("francois")
    content = (
        "Email;Prénom;Nom;Rôle\r\n"
        f"{first};Hélène;Lefèvre;Administrateur\r\n"
        "pas-une-adresse;Jean;Dupont;utilisateur\r\n"
        f"{third};François;Müller-Œuvré;\r\n"
        "\r\n;;;\r\n\r\n"
    )
    reply = upload(owner.client, content.encode("cp1252"))
    assert reply.status == 207, reply.body
    results = reply.body["results"]
    assert [(r["status"], r["line"]) for r in results] == [("invited", 2), ("error", 3), ("invited", 4)]
    assert (results[1]["error"]["code"], results[1]["error"]["field"]) == ("invalid_email", "email")
    listed = {row["email"]: row for row in owner.client.get("/users").body["items"]}
    assert (listed[first]["first_name"], listed[first]["last_name"], listed[first]["role"]) == (
        "Hélène",
        "Lefèvre",
        "admin",
    )
    assert (listed[third]["first_name"], listed[third]["last_name"], listed[third]["role"]) == (
        "François",
        "Müller-Œuvré",
        "member",
    )


def test_utf8_with_bom_and_semicolons_imports(client: Client) -> None:
    owner = owner_of_new_account(client)
    email = unique_email("bom")
    data = codecs.BOM_UTF8 + f"email;prenom;nom;role\r\n{email};Anaïs;Cœur;membre\r\n".encode()
    reply = upload(owner.client, data)
    assert [r["status"] for r in reply.body["results"]] == ["invited"]
    [row] = [row for row in owner.client.get("/users").body["items"] if row["email"] == email]
    assert (row["first_name"], row["last_name"]) == ("Anaïs", "Cœur")


def test_commas_quoted_fields_and_plain_utf8_import(client: Client) -> None:
    owner = owner_of_new_account(client)
    email = unique_email("quoted")
    data = f'first_name,last_name,email\n"Jean, dit ""Jeannot""",Dupont,"{email}"\n'.encode()
    reply = upload(owner.client, data, "application/octet-stream")
    assert reply.status == 207
    [result] = reply.body["results"]
    assert result["status"] == "invited", result
    [row] = [row for row in owner.client.get("/users").body["items"] if row["email"] == email]
    assert row["first_name"] == 'Jean, dit "Jeannot"'


def test_too_large_files_are_413_and_nothing_is_written(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    before = partition(table, owner.account_id)
    big = b"email;prenom;nom;role\r\n" + b"x" * 1_000_001
    assert upload(owner.client, big).status == 413
    many = "email\r\n" + "".join(f"{unique_email('n')}\r\n" for _ in range(1001))
    reply = upload(owner.client, many.encode())
    assert (reply.status, reply.error["code"]) == (413, "payload_too_large")
    assert partition(table, owner.account_id) == before


def test_a_file_without_an_email_column_is_refused_naming_it(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    before = partition(table, owner.account_id)
    for data in (b"prenom;nom\r\nJean;Dupont\r\n", b""):
        reply = upload(owner.client, data)
        assert (reply.status, reply.error["field"]) == (422, "email")
    assert partition(table, owner.account_id) == before


def test_members_cannot_import_nor_download_the_template(client: Client) -> None:
    owner = owner_of_new_account(client)
    member = join(owner, "member")
    assert member.client.get("/users/import-template").status == 403
    assert upload(member.client, f"email\r\n{unique_email()}\r\n".encode()).status == 403


def test_a_cell_beyond_the_csv_field_limit_is_a_422_naming_the_file_and_nothing_is_written(
    client: Client, table: Any
) -> None:
    """200,000 characters in one cell (the csv module stops at 131,072): a clear refusal, never a 500."""
    owner = owner_of_new_account(client)
    before = partition(table, owner.account_id)
    for content in (
        f"email;prenom\r\n{unique_email()};Jean\r\n{unique_email()};{'x' * 200_000}\r\n",
        "email;" + "x" * 200_000 + "\r\n",
        f'email;prenom\r\n{unique_email()};"jamais fermé\r\n' + "y" * 200_000,
    ):
        reply = upload(owner.client, content.encode())
        assert reply.status == 422, reply.body
        assert (reply.error["code"], reply.error["field"]) == ("unreadable_csv", "file")
        assert reply.error["message"].startswith("La ligne ")
    assert partition(table, owner.account_id) == before


def test_control_characters_in_a_cell_are_an_error_on_that_row_naming_the_field(client: Client, table: Any) -> None:
    """Each row is validated on its own (R-USR-3): the file's other rows are invited."""
    owner = owner_of_new_account(client)
    seed.account_type(owner.account_id, "expert_comptable")
    good, nul, line_break, tab = (unique_email(name) for name in ("good", "nul", "crlf", "tab"))
    content = (
        "email;prenom;nom\r\n"
        f"{good};Jean;Dupont\r\n"
        f"{nul};Je\x00an;Dupont\r\n"
        f'{line_break};Jean;"Dupont\r\nBcc: pirate@exemple.fr"\r\n'
        f"{tab};Jean\tLuc;Dupont\r\n"
        f"{unique_email('bell')}\x07;Jean;Dupont\r\n"
    )
    reply = upload(owner.client, content.encode())
    assert reply.status == 207, reply.body
    outcomes = [(r["status"], (r.get("error") or {}).get("field"), r["line"]) for r in reply.body["results"]]
    assert outcomes == [
        ("invited", None, 2),
        ("error", "first_name", 3),
        ("error", "last_name", 5),
        ("error", "first_name", 6),
        ("error", "email", 7),
    ]
    stored = {item["email"] for item in partition(table, owner.account_id, "USER#")}
    assert good in stored and not {nul, line_break, tab} & stored
