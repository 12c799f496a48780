"""Arranging through the store, where the journey itself is not what a test checks.

Every write the tests make through the store's functions is here: when the store's signatures
change, this module alone follows. Each function leaves the items as the real operation would.
"""

import uuid
from collections.abc import Callable
from functools import cache
from typing import Any

import boto3

from comptasecure import aws, clock
from comptasecure.domain import passwords
from comptasecure.errors import UserNotFound
from comptasecure.store import accounts as account_store
from comptasecure.store import audit as audit_store
from comptasecure.store import groups as group_store
from comptasecure.store import keys
from comptasecure.store import users as user_store
from comptasecure.store.audit import AuditExport
from comptasecure.store.transaction import Transaction

# The most users any account type allows: the quota condition user creation writes under.
MAX_USERS = 50


@cache
def password_hash(password: str) -> str:
    """Hashed once per password: races need a user creation as quick as the real one."""
    return passwords.hash_password(password)


def user(account_id: str, *, email: str, role: str, status: str, password: str, max_users: int = MAX_USERS) -> str:
    """Put a user on the account as an accepted invitation leaves it: the user, its email claim and
    the account's user count (under the quota condition, ``max_users``) in one transaction. Returns the
    user's id."""
    user_id = uuid.uuid4().hex
    tx = Transaction()
    user_store.put_new(
        tx,
        {
            "id": user_id,
            "account_id": account_id,
            "email": email,
            "first_name": role.title(),
            "last_name": "Test",
            "role": role,
            "status": status,
            "password_hash": password_hash(password),
            "created_at": clock.iso(clock.now()),
        },
    )
    tx.update(
        keys.key(keys.account_pk(account_id), keys.ACCOUNT_META),
        "ADD user_count :one",
        condition="attribute_exists(PK) AND user_count < :max",
        values={":one": 1, ":max": max_users},
    )
    tx.commit()
    return user_id


def account_with_owner(*, email: str, password: str) -> tuple[str, str]:
    """A Freemium account and its active owner, as a confirmed signup leaves them (without the
    signup's audit events and codes). Returns (account id, owner id)."""
    account_id, owner_id, now = uuid.uuid4().hex, uuid.uuid4().hex, clock.iso(clock.now())
    tx = Transaction()
    account_store.put_new(
        tx,
        {
            "id": account_id,
            "name": "Cabinet Dupont",
            "type_id": "freemium",
            "owner_id": owner_id,
            "user_count": 1,
            "created_at": now,
        },
    )
    user_store.put_new(
        tx,
        {
            "id": owner_id,
            "account_id": account_id,
            "email": email,
            "first_name": "Claire",
            "last_name": "Dupont",
            "company_name": "Cabinet Dupont",
            "phone": None,
            "siren": None,
            "role": "owner",
            "status": "active",
            "password_hash": password_hash(password),
            "created_at": now,
        },
    )
    tx.commit()
    return account_id, owner_id


def account_type(account_id: str, type_id: str) -> None:
    """What support does through its operation (R-ACC-5), e.g. Premium to lift Freemium's limits."""
    tx = Transaction()
    account_store.set_type(tx, account_id, type_id)
    tx.commit()


def group_membership(account_id: str, user_id: str, group_id: str) -> None:
    """The user's side of a membership alone (the group's side is not written)."""
    tx = Transaction()
    group_store.join(tx, account_id, user_id, group_id, on_missing_user=UserNotFound())
    tx.commit()


def audit_events(account_id: str, count: int, event: Callable[[int], dict[str, Any]]) -> None:
    """``count`` audit events in the account's partition, as the audit log stores them, by
    BatchWriteItem (25 a call); ``event(number)`` gives each one's at, actor, action, target and details."""
    table = boto3.resource("dynamodb").Table(aws.table().name)
    with table.batch_writer() as batch:
        for number in range(count):
            fields = event(number)
            item_id = f"e{number:09d}"
            batch.put_item(
                Item={
                    **keys.key(keys.account_pk(account_id), keys.audit_sk(fields["at"], item_id)),
                    "kind": "audit",
                    "id": item_id,
                    **fields,
                }
            )


def audit_export(account_id: str, export: AuditExport, expires_epoch: int) -> None:
    """An asynchronous export of the audit trail, in whatever state the test needs (its worker not started)."""
    tx = Transaction()
    audit_store.put_export(tx, account_id, export, expires_epoch)
    tx.commit()
