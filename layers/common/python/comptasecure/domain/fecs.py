"""FEC files as far as access goes (SPEC R-GRP-2): who imported them, who may open them, sharing."""

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from comptasecure import aws, clock
from comptasecure.domain import account_scope, audit_log, folders
from comptasecure.domain.membership import MANAGERS, Role
from comptasecure.errors import FecNotFound, FolderChanged, NotAllowedToShare, NotFound
from comptasecure.idempotency import NOTHING, replayable
from comptasecure.settings import settings
from comptasecure.store import fecs as fec_store
from comptasecure.store import folders as folder_store
from comptasecure.store import groups as group_store
from comptasecure.store.records import FecFile
from comptasecure.store.transaction import MAX_TRANSACTION_ITEMS, Transaction
from comptasecure.validation import luhn_valid

# Article A.47 A-1 of the Livre des procédures fiscales: <SIREN>FEC<closing date AAAAMMJJ>.
FEC_NAME = re.compile(r"^(?P<siren>\d{9})FEC(?P<closing>\d{8})(\.\w{1,4})?$", re.IGNORECASE)
USER, GROUP = "user", "group"


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


@dataclass(frozen=True)
class RegisteredFec:
    fec: FecFile
    upload_url: str
    """Where the importer uploads the file itself (presigned, private, under the account)."""


@replayable
def register(account_id: str, importer: audit_log.Actor, file_name: str, folder: str | None) -> RegisteredFec:
    """Record an FEC imported by this user and hand back where to upload it (private, under the account).

    In a folder, the file joins it in the same transaction, granted to the users the folder is shared
    with (R-FOL-1); a share of the folder committed meanwhile makes it read the folder again.
    """
    fec_id = uuid.uuid4().hex
    now = clock.iso(clock.now())
    fec: FecFile = {
        "id": fec_id,
        "account_id": account_id,
        "file_name": file_name,
        "folder": folder,
        "imported_by": importer.id,
        "imported_by_email": importer.email,
        "imported_at": now,
        "naming_warning": naming_warning(file_name),
        "s3_key": f"accounts/{account_id}/fecs/{fec_id}/{file_name}",
    }
    upload_url = aws.s3().generate_presigned_url(
        "put_object",
        Params={"Bucket": settings().fec_bucket, "Key": fec["s3_key"]},
        ExpiresIn=settings().upload_url_seconds,
    )
    registered = RegisteredFec(fec, upload_url)
    attempt = 0
    while True:
        tx = Transaction()
        fec_store.put_new(tx, fec)
        # The importer's own grant: "what I may open" is always one Query on my grants.
        fec_store.grant(tx, account_id, importer.id, fec_id, importer.id, now)
        audit_log.record(
            tx,
            account_id,
            importer,
            "fec.registered",
            target_type="fec",
            target_id=fec_id,
            details={"file_name": file_name, "folder": folder},
        )
        if folder is not None:
            folders.add_file(tx, account_id, folder, fec_id, importer.id, folder_store.get(account_id, folder), now)
        try:
            tx.commit(answer=registered)
            return registered
        except FolderChanged:
            attempt += 1
            if attempt == folders.ATTEMPTS:
                raise


def visible_page(
    account_id: str, user_id: str, role: Role, limit: int, start_key: dict[str, Any] | None
) -> tuple[list[FecFile], dict[str, Any] | None]:
    """Owner and admins open every file of the account; others what they imported or was shared with them."""
    if role in MANAGERS:
        return fec_store.page_all(account_id, limit, start_key)
    return fec_store.page_granted(account_id, user_id, limit, start_key)


@replayable
def share(
    account_id: str, sharer: audit_log.Actor, role: Role, fec_id: str, user_ids: Sequence[str], group_ids: Sequence[str]
) -> list[str]:
    """Grant the users, and the members of the groups as they are now; later members get nothing."""
    fec = fec_store.get(account_id, fec_id)
    if fec is None:
        raise _fec_not_found()
    if role not in MANAGERS:
        if not fec_store.has_grant(account_id, sharer.id, fec_id):
            raise _fec_not_found()
        if fec["imported_by"] != sharer.id:
            raise NotAllowedToShare()
    account_scope.users_of_account(account_id, user_ids, "user_ids")
    groups = account_scope.groups_of_account(account_id, group_ids, "group_ids")
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
                fec_store.grant(tx, account_id, target_id, fec_id, sharer.id, now)
            else:
                group_store.record_share(tx, account_id, target_id, fec_id, sharer.id, now)
        audit_log.record(
            tx,
            account_id,
            sharer,
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
        tx.commit(answer=granted if start + chunk >= len(targets) else NOTHING)
    return granted


def forget_user(account_id: str, user_id: str) -> None:
    """A deleted user's grants go with the user; the files stay on the account."""
    grant_keys = fec_store.grant_keys_of(account_id, user_id)
    for start in range(0, len(grant_keys), MAX_TRANSACTION_ITEMS):
        tx = Transaction()
        for key in grant_keys[start : start + MAX_TRANSACTION_ITEMS]:
            tx.delete(key)
        tx.commit()


def _fec_not_found() -> NotFound:
    return FecNotFound()
