"""Firm information and the CRM of an analysis (SPEC R-CAB-1/2/3), from the outside."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from comptasecure.store import keys
from tests.helpers import CallCounter, Client, Member, audit_events, owner_of_new_account

FIRM = {
    "identification": "Cabinet Dupont & Associés, SAS d'expertise comptable",
    "address_line1": "12 rue de la République",
    "postal_code": "69002",
    "city": "Lyon",
    "ordre_registration_number": "69-123456",
    "phone": "04 78 12 34 56",
    "email": "Contact@Cabinet-Dupont.fr",
}


def analysis() -> str:
    return uuid.uuid4().hex


def cabinet_item(table: Any, account_id: str) -> dict[str, Any] | None:
    return table.get_item(Key=keys.key(keys.account_pk(account_id), keys.CABINET_SK)).get("Item")


# ------------------------------------------------------------------ firm information


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("admin", 200), ("member", 403)])
def test_owner_and_admins_edit_firm_information_members_read_it(
    client: Client, table: Any, team: dict[str, Member], role: str, status: int
) -> None:
    reply = client.patch("/cabinet", {"fields": FIRM}, token=team[role].token)
    assert reply.status == status, reply.body
    account_id = team["owner"].account_id
    read = client.get("/cabinet", token=team["member"].token)
    assert read.status == 200
    events = audit_events(table, account_id, "cabinet.updated")
    if status == 200:
        assert read.body == reply.body
        assert read.body["fields"]["phone"] == "+33478123456"
        assert read.body["fields"]["email"] == "contact@cabinet-dupont.fr"
        assert read.body["fields"]["signatory_name"] is None
        [event] = events
        assert event["actor_id"] == team[role].user_id
        assert event["details"]["city"] == {"before": None, "after": "Lyon"}
    else:
        assert reply.error["code"] == "forbidden"
        assert set(read.body["fields"].values()) == {None}
        assert events == []


def test_firm_fields_are_the_defined_list(client: Client) -> None:
    owner = owner_of_new_account(client)
    fields = client.get("/cabinet", token=owner.token).body["fields"]
    assert set(fields) >= {
        "identification",
        "address_line1",
        "postal_code",
        "city",
        "ordre_registration_number",
        "signatory_name",
        "signatory_title",
        "phone",
        "email",
        "logo_reference",
    }


def test_null_or_empty_empties_a_firm_field_and_others_stay(client: Client) -> None:
    owner = owner_of_new_account(client)
    client.patch("/cabinet", {"fields": FIRM}, token=owner.token)
    reply = client.patch("/cabinet", {"fields": {"city": None, "address_line1": "  "}}, token=owner.token)
    assert reply.status == 200
    assert reply.body["fields"]["city"] is None
    assert reply.body["fields"]["address_line1"] is None
    assert reply.body["fields"]["postal_code"] == "69002"


@pytest.mark.parametrize(
    ("fields", "status", "field", "code"),
    [
        ({"identification": "x" * 201}, 422, "fields.identification", "invalid_identification"),
        ({"signatory_name": "x" * 101}, 422, "fields.signatory_name", "invalid_signatory_name"),
        ({"postal_code": "6900"}, 422, "fields.postal_code", "invalid_postal_code"),
        ({"email": "pas-un-email"}, 422, "fields.email", "invalid_email"),
        ({"phone": "12"}, 422, "fields.phone", "invalid_phone"),
        ({"city": "Lyon", "siret": "73282932000074"}, 422, "fields.siret", "unknown_field"),
        ({"city": 69}, 400, "fields.city", "wrong_type"),
    ],
)
def test_invalid_firm_information_names_the_field_and_writes_nothing(
    client: Client, table: Any, fields: dict[str, Any], status: int, field: str, code: str
) -> None:
    owner = owner_of_new_account(client)
    reply = client.patch("/cabinet", {"fields": fields}, token=owner.token)
    assert reply.status == status, reply.body
    assert (reply.error["field"], reply.error["code"]) == (field, code)
    assert cabinet_item(table, owner.account_id) is None
    assert audit_events(table, owner.account_id, "cabinet.updated") == []


def test_firm_information_is_confined_to_the_account(client: Client) -> None:
    first, second = owner_of_new_account(client), owner_of_new_account(client)
    client.patch("/cabinet", {"fields": FIRM}, token=first.token)
    assert set(client.get("/cabinet", token=second.token).body["fields"].values()) == {None}


# ------------------------------------------------------------------ CRM


@pytest.mark.parametrize("role", ["owner", "admin", "member"])
def test_opening_a_crm_prefills_its_empty_fields_from_the_firm(
    client: Client, team: dict[str, Member], role: str
) -> None:
    owner, analysis_id = team["owner"], analysis()
    client.patch("/cabinet", {"fields": FIRM}, token=owner.token)
    # The CRM already holds its own city: it keeps it; its empty fields take the firm's.
    saved = client.patch(f"/analyses/{analysis_id}/crm", {"fields": {"city": "Villeurbanne"}}, token=owner.token)
    assert saved.status == 200, saved.body
    reply = client.get(f"/analyses/{analysis_id}/crm", token=team[role].token)
    assert reply.status == 200
    assert reply.body["analysis_id"] == analysis_id
    fields = reply.body["fields"]
    assert fields["city"] == "Villeurbanne"
    assert fields["identification"] == FIRM["identification"]
    assert fields["postal_code"] == "69002"
    assert fields["signatory_name"] is None  # empty in both


def test_a_crm_never_opened_is_all_firm_information(client: Client) -> None:
    owner = owner_of_new_account(client)
    client.patch("/cabinet", {"fields": {"signatory_name": "Claire Dupont"}}, token=owner.token)
    fields = client.get(f"/analyses/{analysis()}/crm", token=owner.token).body["fields"]
    assert fields["signatory_name"] == "Claire Dupont"
    assert fields["city"] is None


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_saving_a_crm_backfills_only_empty_firm_fields(
    client: Client, table: Any, team: dict[str, Member], role: str
) -> None:
    owner, user = team["owner"], team[role]
    client.patch("/cabinet", {"fields": {"city": "Lyon", "postal_code": "69002"}}, token=owner.token)
    crm = {"city": "Villeurbanne", "signatory_name": "Claire Dupont", "signatory_title": "Associée"}
    reply = client.patch(f"/analyses/{analysis()}/crm", {"fields": crm}, token=user.token)
    assert reply.status == 200, reply.body
    assert reply.body["fields"]["city"] == "Villeurbanne"

    firm = client.get("/cabinet", token=owner.token).body["fields"]
    assert firm["city"] == "Lyon", "a filled firm field is not overwritten by a CRM"
    assert firm["postal_code"] == "69002"
    assert firm["signatory_name"] == "Claire Dupont"
    assert firm["signatory_title"] == "Associée"
    # The next CRM gets what this one brought.
    next_crm = client.get(f"/analyses/{analysis()}/crm", token=user.token).body["fields"]
    assert next_crm["signatory_name"] == "Claire Dupont"
    assert next_crm["city"] == "Lyon"

    backfills = audit_events(table, owner.account_id, "cabinet.backfilled_from_crm")
    assert sorted(next(iter(set(event["details"]) - {"analysis_id"})) for event in backfills) == [
        "signatory_name",
        "signatory_title",
    ]
    assert all(event["actor_id"] == user.user_id for event in backfills)
    assert len(audit_events(table, owner.account_id, "crm.saved")) == 1


def test_a_members_crm_is_saved_but_never_writes_the_firm_information(
    client: Client, table: Any, team: dict[str, Member]
) -> None:
    """R-ROLE: members read the firm information. Their CRM is theirs to save; the firm tab is not."""
    owner, member, analysis_id = team["owner"], team["member"], analysis()
    client.patch("/cabinet", {"fields": {"city": "Lyon"}}, token=owner.token)
    crm = {"city": "Villeurbanne", "signatory_name": "Pirate", "email": "pirate@exemple.fr"}
    reply = client.patch(f"/analyses/{analysis_id}/crm", {"fields": crm}, token=member.token)
    assert reply.status == 200, reply.body
    assert (reply.body["fields"]["city"], reply.body["fields"]["signatory_name"]) == ("Villeurbanne", "Pirate")
    firm = client.get("/cabinet", token=owner.token).body["fields"]
    assert (firm["city"], firm["signatory_name"], firm["email"]) == ("Lyon", None, None)
    assert audit_events(table, owner.account_id, "cabinet.backfilled_from_crm") == []
    [saved] = audit_events(table, owner.account_id, "crm.saved")
    assert saved["actor_id"] == member.user_id
    # The CRM keeps what the member wrote; an admin's next save of it back-fills the firm.
    assert client.get(f"/analyses/{analysis_id}/crm", token=owner.token).body["fields"]["signatory_name"] == "Pirate"
    client.patch(f"/analyses/{analysis_id}/crm", {"fields": {}}, token=team["admin"].token)
    assert client.get("/cabinet", token=owner.token).body["fields"]["signatory_name"] == "Pirate"


def test_a_crm_saved_again_keeps_its_fields_and_backfills_what_it_now_holds(client: Client) -> None:
    owner, analysis_id = owner_of_new_account(client), analysis()
    client.patch(f"/analyses/{analysis_id}/crm", {"fields": {"city": "Lyon"}}, token=owner.token)
    client.patch("/cabinet", {"fields": {"city": None}}, token=owner.token)
    reply = client.patch(f"/analyses/{analysis_id}/crm", {"fields": {"postal_code": "69002"}}, token=owner.token)
    assert reply.body["fields"]["city"] == "Lyon"
    firm = client.get("/cabinet", token=owner.token).body["fields"]
    assert (firm["city"], firm["postal_code"]) == ("Lyon", "69002")


def test_two_crms_saved_at_once_never_overwrite_each_others_backfill(client: Client, table: Any) -> None:
    for _ in range(5):
        owner = owner_of_new_account(client)
        values = ["Claire Dupont", "Marc Durand"]
        start = threading.Barrier(2)

        def save(name: str, owner: Member = owner, start: threading.Barrier = start) -> int:
            start.wait()
            body = {"fields": {"signatory_name": name, "city": f"Ville de {name}"}}
            return client.patch(f"/analyses/{analysis()}/crm", body, token=owner.token).status

        with ThreadPoolExecutor(max_workers=2) as pool:
            assert list(pool.map(save, values)) == [200, 200]
        firm = client.get("/cabinet", token=owner.token).body["fields"]
        assert firm["signatory_name"] in values
        # Each firm field was filled once, by one CRM, and the audit trail says which.
        backfills = audit_events(table, owner.account_id, "cabinet.backfilled_from_crm")
        names = [
            event["details"]["signatory_name"]["after"] for event in backfills if "signatory_name" in event["details"]
        ]
        cities = [event["details"]["city"]["after"] for event in backfills if "city" in event["details"]]
        assert names == [firm["signatory_name"]]
        assert cities == [firm["city"]]


def test_invalid_crm_names_the_field_and_writes_nothing(client: Client, table: Any) -> None:
    owner, analysis_id = owner_of_new_account(client), analysis()
    reply = client.patch(
        f"/analyses/{analysis_id}/crm", {"fields": {"city": "Lyon", "signatory_name": "x" * 101}}, token=owner.token
    )
    assert reply.status == 422
    assert reply.error["field"] == "fields.signatory_name"
    assert table.get_item(Key=keys.key(keys.account_pk(owner.account_id), keys.crm_sk(analysis_id))).get("Item") is None
    assert cabinet_item(table, owner.account_id) is None


def test_a_crm_belongs_to_the_account_that_saves_it(client: Client, table: Any) -> None:
    """The same analysis id in two accounts: each has its own CRM, neither sees nor blocks the other."""
    first, second = owner_of_new_account(client), owner_of_new_account(client)
    analysis_id = analysis()
    client.patch("/cabinet", {"fields": {"postal_code": "75002"}}, token=second.token)
    assert client.patch(f"/analyses/{analysis_id}/crm", {"fields": {"city": "Lyon"}}, token=first.token).status == 200

    theirs = client.get(f"/analyses/{analysis_id}/crm", token=second.token)
    assert theirs.status == 200, "the first account to save a CRM does not claim the analysis id"
    assert (theirs.body["fields"]["city"], theirs.body["fields"]["postal_code"]) == (None, "75002")
    saved = client.patch(f"/analyses/{analysis_id}/crm", {"fields": {"city": "Paris"}}, token=second.token)
    assert (saved.status, saved.body["fields"]["city"]) == (200, "Paris")

    assert client.get(f"/analyses/{analysis_id}/crm", token=first.token).body["fields"]["city"] == "Lyon"
    assert client.get("/cabinet", token=first.token).body["fields"]["city"] == "Lyon"
    assert client.get("/cabinet", token=second.token).body["fields"]["city"] == "Paris"
    # Nothing outside the accounts' partitions records who used the id.
    assert table.get_item(Key=keys.key(keys.analysis_pk(analysis_id), keys.ANALYSIS_SK)).get("Item") is None


def test_a_crm_save_reads_each_item_once_and_writes_one_transaction(client: Client) -> None:
    owner, analysis_id = owner_of_new_account(client), analysis()
    client.patch(f"/analyses/{analysis_id}/crm", {"fields": {"city": "Lyon"}}, token=owner.token)
    with CallCounter() as counter:
        reply = client.patch(f"/analyses/{analysis_id}/crm", {"fields": FIRM}, token=owner.token)
    assert reply.status == 200, reply.body
    assert len(client.get("/cabinet", token=owner.token).body["fields"]) >= len(FIRM)
    # The authorizer's one read, then the CRM and the firm in one BatchGet, and one transaction for
    # the CRM, its seven back-filled firm fields and their audit events.
    assert dict(counter.calls) == {"BatchGetItem": 2, "TransactWriteItems": 1}
    with CallCounter() as counter:
        opened = client.get(f"/analyses/{analysis_id}/crm", token=owner.token)
    assert opened.body["fields"]["city"] == "Lyon"
    assert dict(counter.calls) == {"BatchGetItem": 2}


def test_a_malformed_analysis_id_is_not_found(client: Client) -> None:
    owner = owner_of_new_account(client)
    assert client.get("/analyses/" + "a" * 65 + "/crm", token=owner.token).status == 404
