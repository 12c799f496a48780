"""Passkeys (R-MFA-5): a credential found by its id before the account is known, the user's list of
them, and the WebAuthn challenges each ceremony spends once (key design in store/keys.py)."""

from contextlib import suppress
from typing import Any, cast

from comptasecure import aws
from comptasecure.errors import DomainError
from comptasecure.store import keys, pages
from comptasecure.store.batch import get_many
from comptasecure.store.conditions import ConditionFailed, conditional
from comptasecure.store.records import Challenge, Credential, Passkey, User
from comptasecure.store.transaction import Transaction
from comptasecure.store.values import plain


def _challenge_key(challenge: str) -> dict[str, str]:
    return keys.key(keys.challenge_pk(challenge), keys.CHALLENGE_SK)


def _credential_key(passkey_id: str) -> dict[str, str]:
    return keys.key(keys.credential_pk(passkey_id), keys.CREDENTIAL_SK)


def _passkey_key(account_id: str, user_id: str, passkey_id: str) -> dict[str, str]:
    return keys.key(keys.account_pk(account_id), keys.passkey_sk(user_id, passkey_id))


def put_challenge(tx: Transaction, challenge: str, record: Challenge, ttl: int) -> None:
    tx.put(
        {**_challenge_key(challenge), "kind": "webauthn_challenge", **record, "ttl": ttl},
        condition="attribute_not_exists(PK)",
    )


def spend_challenge(
    tx: Transaction,
    challenge: str,
    purpose: str,
    now: str,
    *,
    user_id: str | None = None,
    on_spent: DomainError,
) -> None:
    """The challenge goes in the transaction that uses it, only if it is still there, of this purpose
    (and this user's, for a registration) and unexpired: a second use, or a parallel one, fails."""
    condition = "attribute_exists(PK) AND purpose = :purpose AND expires_at > :now"
    values: dict[str, Any] = {":purpose": purpose, ":now": now}
    if user_id is not None:
        condition += " AND user_id = :user_id"
        values[":user_id"] = user_id
    tx.delete(_challenge_key(challenge), condition=condition, values=values, on_condition_failed=on_spent)


def login_view(challenge: str, passkey_id: str) -> tuple[Challenge | None, Credential | None]:
    """The login's challenge and the credential it presents, in one BatchGetItem (consistent: a
    challenge spent an instant ago must be seen spent)."""
    wanted = [_challenge_key(challenge), _credential_key(passkey_id)]
    found = {str(item["PK"]): plain(item) for item in get_many(wanted, consistent=True)}
    return (
        cast(Challenge | None, found.get(wanted[0]["PK"])),
        cast(Credential | None, found.get(wanted[1]["PK"])),
    )


def registration_view(account_id: str, user_id: str, challenge: str) -> tuple[User | None, Challenge | None]:
    """The user registering a passkey and the challenge its authenticator signed, in one BatchGetItem."""
    wanted = [keys.key(keys.account_pk(account_id), keys.user_sk(user_id)), _challenge_key(challenge)]
    found = {str(item["PK"]): item for item in get_many(wanted, consistent=True)}
    return (
        cast(User | None, found.get(wanted[0]["PK"])),
        cast(Challenge | None, plain(found[wanted[1]["PK"]]) if wanted[1]["PK"] in found else None),
    )


def with_user(account_id: str, user_id: str, passkey_id: str) -> tuple[User | None, Passkey | None]:
    """The user and one of its passkeys, in one BatchGetItem."""
    wanted = [
        keys.key(keys.account_pk(account_id), keys.user_sk(user_id)),
        _passkey_key(account_id, user_id, passkey_id),
    ]
    found = {str(item["SK"]): item for item in get_many(wanted)}
    passkey = found.get(wanted[1]["SK"])
    return cast(User | None, found.get(wanted[0]["SK"])), None if passkey is None else cast(
        Passkey, pages.record(passkey)
    )


def page(
    account_id: str, user_id: str, limit: int, start_key: dict[str, Any] | None
) -> tuple[list[Passkey], dict[str, Any] | None]:
    """One page of the user's passkeys: one Query on ``PASSKEY#<uid>#``."""
    items, last_key = pages.query(keys.account_pk(account_id), keys.passkey_sk(user_id), limit, start_key)
    return [cast(Passkey, pages.record(item)) for item in items], last_key


def all_of(account_id: str, user_id: str) -> list[Passkey]:
    """Every passkey of the user (a registration excludes them; a removed user's go)."""
    found: list[Passkey] = []
    start: dict[str, Any] | None = None
    while True:
        items, start = page(account_id, user_id, 100, start)
        found.extend(items)
        if not start:
            return found


def add(
    tx: Transaction,
    account_id: str,
    passkey: Passkey,
    credential: Credential,
    max_passkeys: int,
    *,
    on_taken: DomainError,
    on_limit: DomainError,
) -> None:
    """The credential (unique: an authenticator's credential registered twice, by anyone, is refused),
    the user's view of it, and the user's count, within its limit."""
    tx.put(
        {**_credential_key(passkey["id"]), "kind": "credential", **credential},
        condition="attribute_not_exists(PK)",
        on_condition_failed=on_taken,
    )
    tx.put(
        {**_passkey_key(account_id, passkey["user_id"], passkey["id"]), "kind": "passkey", **passkey},
        condition="attribute_not_exists(PK)",
        on_condition_failed=on_taken,
    )
    tx.update(
        keys.key(keys.account_pk(account_id), keys.user_sk(passkey["user_id"])),
        "ADD passkey_count :one",
        condition="attribute_exists(PK) AND (attribute_not_exists(passkey_count) OR passkey_count < :max)",
        values={":one": 1, ":max": max_passkeys},
        on_condition_failed=on_limit,
    )


def remove(
    tx: Transaction,
    account_id: str,
    user_id: str,
    passkey_id: str,
    *,
    on_missing: DomainError | None,
    count: bool = True,
    user_changes: str = "",
) -> None:
    """The passkey and its credential go; with ``count``, the user's count goes down (``user_changes``:
    more of the same update of the user item, e.g. ``REMOVE`` of the attempt counters)."""
    tx.delete(
        _passkey_key(account_id, user_id, passkey_id),
        condition="attribute_exists(PK)" if on_missing else None,
        on_condition_failed=on_missing,
    )
    tx.delete(
        _credential_key(passkey_id),
        condition="attribute_not_exists(PK) OR user_id = :user_id",
        values={":user_id": user_id},
    )
    if count:
        tx.update(
            keys.key(keys.account_pk(account_id), keys.user_sk(user_id)),
            f"ADD passkey_count :minus_one {user_changes}".strip(),
            condition="attribute_exists(PK)",
            values={":minus_one": -1},
        )


def record_use(
    tx: Transaction,
    account_id: str,
    user_id: str,
    passkey_id: str,
    new_count: int,
    at: str,
    *,
    on_changed: DomainError,
) -> None:
    """The counter moves to the assertion's while the stored one is still below it (WebAuthn §7.2 step
    21): of two logins with one counter value, or a parallel one left behind, only one passes. An authenticator that
    keeps no counter (both 0) stays at 0; its replays are stopped by the single-use challenge."""
    if new_count == 0:
        condition, values = "sign_count = :zero", {":zero": 0}
    else:
        condition, values = "sign_count < :new", {":new": new_count}
    tx.update(
        _credential_key(passkey_id),
        "SET sign_count = :count",
        condition=f"attribute_exists(PK) AND {condition}",
        values={**values, ":count": new_count},
        on_condition_failed=on_changed,
    )
    tx.update(
        _passkey_key(account_id, user_id, passkey_id),
        "SET last_used_at = :at",
        condition="attribute_exists(PK)",
        values={":at": at},
        on_condition_failed=on_changed,
    )


def release_credential(passkey_id: str, account_id: str) -> None:
    """A purged account's credential goes (its passkey item goes with the partition); one another
    account registered since (the same authenticator's id cannot be, but the check costs nothing) stays."""
    with suppress(ConditionFailed), conditional():
        aws.table().delete_item(
            Key=_credential_key(passkey_id),
            ConditionExpression="account_id = :account_id",
            ExpressionAttributeValues={":account_id": account_id},
        )


def forget_user(account_id: str, user_id: str) -> None:
    """A removed user's passkeys and their credentials go (the user item is gone already)."""
    for passkey in all_of(account_id, user_id):
        tx = Transaction()
        remove(tx, account_id, user_id, passkey["id"], on_missing=None, count=False)
        tx.commit()
