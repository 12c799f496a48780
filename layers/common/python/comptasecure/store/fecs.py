"""FEC file records and the access grants to them (one item per user and file)."""

from typing import Any, cast

from comptasecure import aws
from comptasecure.errors import DomainError
from comptasecure.store import keys, pages
from comptasecure.store.batch import get_many
from comptasecure.store.records import FecFile
from comptasecure.store.transaction import Transaction
from comptasecure.store.values import plain


def put_new(tx: Transaction, fec: FecFile) -> None:
    tx.put(
        {**keys.key(keys.account_pk(fec["account_id"]), keys.fec_sk(fec["id"])), "kind": "fec", **fec},
        condition="attribute_not_exists(PK)",
    )


def get(account_id: str, fec_id: str) -> FecFile | None:
    item = aws.table().get_item(Key=keys.key(keys.account_pk(account_id), keys.fec_sk(fec_id))).get("Item")
    return None if item is None else cast(FecFile, plain(item))


def has_grant(account_id: str, user_id: str, fec_id: str) -> bool:
    item = aws.table().get_item(Key=keys.key(keys.account_pk(account_id), keys.grant_sk(user_id, fec_id)))
    return "Item" in item


def grant(
    tx: Transaction,
    account_id: str,
    user_id: str,
    fec_id: str,
    granted_by: str,
    at: str,
    *,
    if_new: DomainError | None = None,
) -> None:
    """Grant the user the file; with ``if_new``, only if the grant does not exist yet (else that error)."""
    tx.put(
        {
            **keys.key(keys.account_pk(account_id), keys.grant_sk(user_id, fec_id)),
            "kind": "grant",
            "user_id": user_id,
            "fec_id": fec_id,
            "granted_by": granted_by,
            "granted_at": at,
        },
        condition="attribute_not_exists(PK)" if if_new else None,
        on_condition_failed=if_new,
    )


def grant_many(account_id: str, pairs: list[tuple[str, str]], granted_by: str, at: str) -> None:
    """Grant each (user, file) pair, 25 to a BatchWriteItem (unprocessed ones sent again): grants a
    follow-up owes, idempotent however often it runs."""
    with aws.table().batch_writer(overwrite_by_pkeys=["PK", "SK"]) as batch:
        for user_id, fec_id in pairs:
            batch.put_item(
                Item={
                    **keys.key(keys.account_pk(account_id), keys.grant_sk(user_id, fec_id)),
                    "kind": "grant",
                    "user_id": user_id,
                    "fec_id": fec_id,
                    "granted_by": granted_by,
                    "granted_at": at,
                }
            )


def granted_fec_ids(account_id: str, user_id: str) -> set[str]:
    """The files granted to one user (one Query on the user's grants, keys only)."""
    return {key["SK"].removeprefix(keys.grant_sk(user_id)) for key in grant_keys_of(account_id, user_id)}


def existing_grants(account_id: str, pairs: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (user, file) grants exist now."""
    found = get_many(
        [keys.key(keys.account_pk(account_id), keys.grant_sk(user_id, fec_id)) for user_id, fec_id in pairs]
    )
    return {(item["user_id"], item["fec_id"]) for item in found}


def page_all(
    account_id: str, limit: int, start_key: dict[str, Any] | None
) -> tuple[list[FecFile], dict[str, Any] | None]:
    items, last_key = _page(account_id, keys.fec_sk(), limit, start_key)
    return cast(list[FecFile], items), last_key


def page_granted(
    account_id: str, user_id: str, limit: int, start_key: dict[str, Any] | None
) -> tuple[list[FecFile], dict[str, Any] | None]:
    """The files granted to one user: one Query for the page of grants, one BatchGet for the files."""
    grants, last_key = _page(account_id, keys.grant_sk(user_id), limit, start_key)
    wanted = [keys.key(keys.account_pk(account_id), keys.fec_sk(grant["fec_id"])) for grant in grants]
    files = {item["id"]: cast(FecFile, plain(item)) for item in get_many(wanted)}
    return [files[grant["fec_id"]] for grant in grants if grant["fec_id"] in files], last_key


def grant_keys_of(account_id: str, user_id: str) -> list[dict[str, str]]:
    """Every grant of a user (to delete them with the user)."""
    found: list[dict[str, str]] = []
    start: dict[str, Any] | None = None
    while True:
        items, start = _page(account_id, keys.grant_sk(user_id), 1000, start, projection="PK, SK")
        found.extend({"PK": item["PK"], "SK": item["SK"]} for item in items)
        if not start:
            return found


def _page(
    account_id: str, prefix: str, limit: int, start_key: dict[str, Any] | None, projection: str | None = None
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """A page of the account's items under ``prefix``; a start key may only continue them."""
    items, last_key = pages.query(keys.account_pk(account_id), prefix, limit, start_key, projection=projection)
    return [dict(plain(item)) for item in items], last_key
