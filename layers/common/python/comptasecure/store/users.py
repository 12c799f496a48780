"""Users, stored in their account's partition, and the email index that makes an email unique."""

from typing import Any

from comptasecure import aws
from comptasecure.errors import Conflict, DomainError, NotFound
from comptasecure.store import keys
from comptasecure.store.batch import get_many
from comptasecure.store.transaction import Transaction

EMAIL_TAKEN = Conflict("Cette adresse email est déjà utilisée.", field="email", code="email_taken")


def get(account_id: str, user_id: str) -> dict[str, Any]:
    item = aws.table().get_item(Key=keys.key(keys.account_pk(account_id), keys.user_sk(user_id))).get("Item")
    if item is None:
        raise NotFound("Utilisateur introuvable.", code="user_not_found")
    return item


def find_by_email(email: str) -> dict[str, Any] | None:
    """The user owning this email, whatever the account, or None."""
    link = aws.table().get_item(Key=keys.key(keys.email_pk(email), keys.EMAIL_SK)).get("Item")
    if link is None:
        return None
    item = (
        aws.table()
        .get_item(Key=keys.key(keys.account_pk(str(link["account_id"])), keys.user_sk(str(link["user_id"]))))
        .get("Item")
    )
    return item


def put_new(tx: Transaction, user: dict[str, Any]) -> None:
    """Create the user and claim its email; a taken email cancels the whole transaction."""
    tx.put(
        {
            **keys.key(keys.email_pk(user["email"]), keys.EMAIL_SK),
            "kind": "email",
            "account_id": user["account_id"],
            "user_id": user["id"],
        },
        condition="attribute_not_exists(PK)",
        on_condition_failed=EMAIL_TAKEN,
    )
    tx.put(
        {**keys.key(keys.account_pk(user["account_id"]), keys.user_sk(user["id"])), "kind": "user", **user},
        condition="attribute_not_exists(PK)",
    )


def set_fields(
    tx: Transaction,
    account_id: str,
    user_id: str,
    fields: dict[str, Any],
    *,
    expected_status: str | None = None,
    on_condition_failed: DomainError | None = None,
) -> None:
    names = {f"#f{i}": name for i, name in enumerate(fields)}
    values: dict[str, Any] = {f":v{i}": value for i, value in enumerate(fields.values())}
    assignments = ", ".join(f"#f{i} = :v{i}" for i in range(len(fields)))
    condition = "attribute_exists(PK)"
    if expected_status:
        condition += " AND #status = :expected_status"
        names["#status"] = "status"
        values[":expected_status"] = expected_status
    tx.update(
        keys.key(keys.account_pk(account_id), keys.user_sk(user_id)),
        f"SET {assignments}",
        condition=condition,
        names=names,
        values=values,
        on_condition_failed=on_condition_failed or NotFound("Utilisateur introuvable.", code="user_not_found"),
    )


def get_many_in(account_id: str, user_ids: list[str]) -> list[dict[str, Any]]:
    """The users of this account among these ids; ids of other accounts are simply not found."""
    wanted = [keys.key(keys.account_pk(account_id), keys.user_sk(user_id)) for user_id in dict.fromkeys(user_ids)]
    return get_many(wanted)
