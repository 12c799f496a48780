"""FEC files as far as access goes (SPEC R-GRP-2): who imported them, who may open them, sharing."""

import re
import uuid
from datetime import datetime
from typing import Any

from comptasecure import aws, clock
from comptasecure.domain import account_scope, audit_log
from comptasecure.errors import Forbidden
from comptasecure.http import Caller, pagination
from comptasecure.settings import settings
from comptasecure.store import fecs as fec_store
from comptasecure.store import groups as group_store
from comptasecure.store.transaction import MAX_TRANSACTION_ITEMS, Transaction
from comptasecure.validation import luhn_valid

# Article A.47 A-1 of the Livre des procédures fiscales: <SIREN>FEC<closing date AAAAMMJJ>.
FEC_NAME = re.compile(r"^(?P<siren>\d{9})FEC(?P<closing>\d{8})(\.\w{1,4})?$", re.IGNORECASE)
USER, GROUP = "user", "group"
FEC_FIELDS = ("id", "file_name", "folder", "imported_by", "imported_by_email", "imported_at", "naming_warning")


def naming_warning(file_name: str) -> str | None:
    """None when the name follows the official FEC naming, else what is wrong, in French."""
    match = FEC_NAME.match(file_name)
    if not match:
        return "Le nom ne suit pas la forme officielle <SIREN>FEC<AAAAMMJJ> (ex. 732829320FEC20251231.txt)."
    if not luhn_valid(match["siren"]):
        return "Le SIREN du nom de fichier n'a pas une clé valide."
    try:
        datetime.strptime(match["closing"], "%Y%m%d")
    except ValueError:
        return "La date de clôture du nom de fichier n'est pas une date valide (AAAAMMJJ)."
    return None


def register(caller: Caller, file_name: str, folder: str | None) -> dict[str, Any]:
    """Record an FEC imported by the caller and hand back where to upload it (private, under the account)."""
    fec_id = uuid.uuid4().hex
    now = clock.iso(clock.now())
    fec = {
        "id": fec_id,
        "account_id": caller.account_id,
        "file_name": file_name,
        "folder": folder,
        "imported_by": caller.user_id,
        "imported_by_email": caller.email,
        "imported_at": now,
        "naming_warning": naming_warning(file_name),
        "s3_key": f"accounts/{caller.account_id}/fecs/{fec_id}/{file_name}",
    }
    tx = Transaction()
    fec_store.put_new(tx, fec)
    # The importer's own grant: "what I may open" is always one Query on my grants.
    fec_store.grant(tx, caller.account_id, caller.user_id, fec_id, caller.user_id, now)
    audit_log.record(
        tx,
        caller.account_id,
        _actor(caller),
        "fec.registered",
        target_type="fec",
        target_id=fec_id,
        details={"file_name": file_name, "folder": folder},
    )
    tx.commit()
    upload_url = aws.s3().generate_presigned_url(
        "put_object",
        Params={"Bucket": settings().fec_bucket, "Key": fec["s3_key"]},
        ExpiresIn=settings().upload_url_seconds,
    )
    return {**_view(fec), "upload_url": upload_url}


def visible_page(caller: Caller, limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """Owner and admins open every file of the account; others what they imported or was shared with them."""
    scope = f"{caller.account_id}:{caller.user_id}"
    start = pagination.decode(cursor, scope)
    if caller.is_manager:
        items, last_key = fec_store.page_all(caller.account_id, limit, start)
    else:
        items, last_key = fec_store.page_granted(caller.account_id, caller.user_id, limit, start)
    return [_view(item) for item in items], pagination.encode(last_key, scope)


def share(caller: Caller, fec_id: str, user_ids: list[str], group_ids: list[str]) -> list[str]:
    """Grant the users, and the members of the groups as they are now; later members get nothing."""
    fec = fec_store.get(caller.account_id, fec_id)
    if not caller.is_manager:
        if not fec_store.has_grant(caller.account_id, caller.user_id, fec_id):
            raise fec_store.fec_not_found()
        if fec["imported_by"] != caller.user_id:
            raise Forbidden("Seuls l'importateur du fichier et les administrateurs peuvent le partager.")
    account_scope.users_of_account(caller.account_id, user_ids, "user_ids")
    groups = account_scope.groups_of_account(caller.account_id, group_ids, "group_ids")
    from_groups = {member for group in groups for member in group.get("member_ids") or []}
    granted = sorted(set(user_ids) | from_groups)
    now = clock.iso(clock.now())
    # One write per user granted, then one per group: its record of the share, what a re-share
    # grants again (R-GRP-3). Users come first, so a chunk's users are granted[start : start + chunk].
    targets = [(USER, user_id) for user_id in granted] + [(GROUP, group["id"]) for group in groups]
    chunk = MAX_TRANSACTION_ITEMS - 1
    for start in range(0, max(len(targets), 1), chunk):
        tx = Transaction()
        for kind, target_id in targets[start : start + chunk]:
            if kind == USER:
                fec_store.grant(tx, caller.account_id, target_id, fec_id, caller.user_id, now)
            else:
                group_store.record_share(tx, caller.account_id, target_id, fec_id, caller.user_id, now)
        audit_log.record(
            tx,
            caller.account_id,
            _actor(caller),
            "fec.shared",
            target_type="fec",
            target_id=fec_id,
            details={
                "file_name": fec["file_name"],
                "user_ids": sorted(user_ids),
                "group_ids": sorted(group_ids),
                "granted_user_ids": granted[start : start + chunk],
            },
        )
        tx.commit()
    return granted


def forget_user(account_id: str, user_id: str) -> None:
    """A deleted user's grants go with the user; the files stay on the account."""
    grant_keys = fec_store.grant_keys_of(account_id, user_id)
    for start in range(0, len(grant_keys), MAX_TRANSACTION_ITEMS):
        tx = Transaction()
        for key in grant_keys[start : start + MAX_TRANSACTION_ITEMS]:
            tx.delete(key)
        tx.commit()


def _view(fec: dict[str, Any]) -> dict[str, Any]:
    return {name: fec.get(name) for name in FEC_FIELDS}


def _actor(caller: Caller) -> audit_log.Actor:
    return audit_log.Actor(caller.user_id, caller.email)
