"""Carrying out what the outbox says is owed (SPEC R-REL-1): at least once, with its effect once.

FollowUpDispatcherFunction calls ``carry_out`` for each outbox item the table's stream delivers.
A delivery may come twice (a batch retried after a later record failed, a redrive): an item already
deleted is done and skipped, and every follow-up is idempotent in itself, keyed on its outbox id,
so a run that dies after its effect and before the item's deletion does no harm when run again:
a workflow starts under a name derived from the outbox id (Step Functions answers the same
execution), a withdrawn or resumed task answers that it no longer waits, a code is derived from the
outbox id (the same code again), deletions find nothing left. The one effect that can happen twice
is an email: it has no idempotency key, so once SES accepted it, the item's deletion is tried again
on its own before the record is reported failed (a redelivery would send a second copy), and only a
function dying between the two, or DynamoDB refusing every attempt, sends it twice: a second copy
beats a lost notice.
"""

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from comptasecure import aws, clock, workers
from comptasecure.domain import codes, fecs, follow_ups, groups, identity, workflow
from comptasecure.emails import sender, templates
from comptasecure.observability import logger
from comptasecure.secrets import signing_key
from comptasecure.settings import settings
from comptasecure.store import batch, keys, outbox
from comptasecure.store import fecs as fec_store
from comptasecure.store import folders as folder_store
from comptasecure.store import passkeys as passkey_store
from comptasecure.store import sessions as session_store
from comptasecure.store import users as user_store


@dataclass(frozen=True)
class Owed:
    """One follow-up still owed: where its item is, its id, and its parameters."""

    pk: str
    outbox_id: str
    payload: dict[str, Any]

    @property
    def account_id(self) -> str:
        return keys.account_id_of(self.pk)


Runner = Callable[[Owed], None]
# Attempts at deleting a carried-out item (each after botocore's own retries) before the record fails.
DONE_ATTEMPTS = 4


def carry_out(pk: str, sk: str) -> str | None:
    """Carry out the follow-up of one outbox item, then delete it; returns its kind (None: already done)."""
    item = outbox.get(pk, sk)
    if item is None:
        return None
    kind = item["follow_up"]
    RUNNERS[kind](Owed(pk, sk.removeprefix(keys.outbox_sk("")), json.loads(item["payload"])))
    _mark_done(pk, sk)
    logger.info("follow-up carried out", extra={"follow_up": kind})
    return kind


def _mark_done(pk: str, sk: str) -> None:
    """Delete the carried-out item, trying again on a failure: its effect happened, and a redelivery
    would repeat it (an email twice)."""
    for attempt in range(DONE_ATTEMPTS):
        if attempt:
            time.sleep(batch.backoff(attempt))
        try:
            outbox.done(pk, sk)
            return
        except ClientError:
            if attempt == DONE_ATTEMPTS - 1:
                raise
            logger.warning("follow-up carried out, its item not deleted yet", extra={"attempt": attempt + 1})


def _email(owed: Owed) -> None:
    email = templates.NOTICES[owed.payload["template"]](**owed.payload["params"])
    sender.send(owed.payload["to"], email)


def _email_change_code(owed: Owed) -> None:
    """The code of an email change, to the new address, while that change is still the one pending."""
    account_id, outbox_id = owed.account_id, owed.outbox_id
    user_id, new_email = owed.payload["user_id"], owed.payload["new_email"]
    user = user_store.find(account_id, user_id)
    if user is None or user.get("pending_email") != new_email:
        return  # the user left, or asked for another address since: that request owes its own code
    issued = codes.issue(
        account_id, user_id, codes.EMAIL_CHANGE, code=_derived_code(account_id, user_id, outbox_id), issued_by=outbox_id
    )
    minutes = settings().code_validity_seconds // 60
    sender.send(new_email, templates.email_change_code(user.get("first_name"), issued.code, minutes))


def _derived_code(account_id: str, user_id: str, outbox_id: str) -> str:
    """The code this follow-up sends, the same on every run of it: unpredictable without the signing key,
    so a run again after a crash writes and sends the same code, never a second one."""
    digest = hmac.new(signing_key(), f"code:{account_id}:{user_id}:{outbox_id}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8]) % 1_000_000:06d}"


def _start_workflows(owed: Owed) -> None:
    """Every start is tried (one failure does not cancel the others), then the first failure raises so
    the item is delivered again: the starts already made answer as the same executions."""
    payload = owed.payload
    users: list[tuple[str, dict[str, Any] | None]] = [(user_id, invitation) for user_id, invitation in payload["users"]]

    def start(user: tuple[str, dict[str, Any] | None]) -> Exception | None:
        try:
            workflow.start(
                payload["step"],
                account_id=owed.account_id,
                user_id=user[0],
                purpose=payload["purpose"],
                invitation=user[1],
                name=workflow.execution_name(payload["purpose"], user[0], owed.outbox_id),
            )
        except ClientError as error:
            return error
        return None

    aws.sfn()  # the client is created once, before the threads share it
    with ThreadPoolExecutor(max_workers=workflow.STARTS_AT_ONCE) as pool:
        failures = [error for error in pool.map(start, users) if error is not None]
    if failures:
        raise failures[0]


def _withdraw_tasks(owed: Owed) -> None:
    for task_token in owed.payload["task_tokens"]:
        workflow.withdraw(task_token, owed.payload["reason"])


def _resume_task(owed: Owed) -> None:
    workflow.resume(owed.payload["task_token"], owed.payload["output"])


def _forget_user(owed: Owed) -> None:
    session_store.delete_all(owed.account_id, owed.payload["user_id"])
    fecs.forget_user(owed.account_id, owed.payload["user_id"])
    passkey_store.forget_user(owed.account_id, owed.payload["user_id"])
    folder_store.forget_user(owed.account_id, owed.payload["user_id"])


def _grant_folder(owed: Owed) -> None:
    """A folder's files to its new users (or a new file to the folder's users): plain puts, so a run
    again writes the same grants; files registered since the share grant themselves."""
    payload = owed.payload
    fec_ids = (
        [payload["fec_id"]] if payload["fec_id"] else folder_store.file_ids(owed.account_id, payload["folder_key"])
    )
    pairs = [(user_id, fec_id) for user_id in payload["user_ids"] for fec_id in fec_ids]
    fec_store.grant_many(owed.account_id, pairs, payload["granted_by"], clock.iso(clock.now()))


def _tidy_sessions(owed: Owed) -> None:
    session_store.delete_older_than(owed.account_id, owed.payload["user_id"], int(owed.payload["epoch"]))


def _purge_account(owed: Owed) -> None:
    workers.start(
        settings().account_purge_function,
        {"account_id": owed.account_id, "stripe_customer_id": owed.payload["stripe_customer_id"]},
    )


def _export_audit(owed: Owed) -> None:
    workers.start(
        settings().audit_export_function, {"account_id": owed.account_id, "export_id": owed.payload["export_id"]}
    )


def _forget_group(owed: Owed) -> None:
    groups.forget(owed.account_id, owed.payload["group_id"], owed.payload["member_ids"])


def _send_new_code(owed: Owed) -> None:
    identity.send_new_code(owed.payload["email"], owed.outbox_id)


RUNNERS: dict[str, Runner] = {
    follow_ups.EMAIL: _email,
    follow_ups.EMAIL_CHANGE_CODE: _email_change_code,
    follow_ups.START_WORKFLOWS: _start_workflows,
    follow_ups.WITHDRAW_TASKS: _withdraw_tasks,
    follow_ups.RESUME_TASK: _resume_task,
    follow_ups.FORGET_USER: _forget_user,
    follow_ups.TIDY_SESSIONS: _tidy_sessions,
    follow_ups.PURGE_ACCOUNT: _purge_account,
    follow_ups.EXPORT_AUDIT: _export_audit,
    follow_ups.SEND_NEW_CODE: _send_new_code,
    follow_ups.FORGET_GROUP: _forget_group,
    follow_ups.GRANT_FOLDER: _grant_folder,
}
