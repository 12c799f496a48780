"""What must follow a change (SPEC R-REL-1), recorded in the change's own transaction.

A route never emails, starts or stops a workflow, ends sessions or starts a worker after its commit:
it adds the follow-up to its transaction here, and FollowUpDispatcherFunction carries it out from
the table's stream (``domain/dispatch.py``), at least once, with its effect once. So a function that
dies right after its commit, or a call that fails after it, loses nothing: the follow-up is owed
for as long as its item exists. This module only writes items: it imports nothing heavy, and the
routes import it.
"""

from collections.abc import Sequence
from contextlib import suppress
from typing import Any, Literal

from comptasecure import clock
from comptasecure.observability import logger
from comptasecure.store import expiry, keys, outbox
from comptasecure.store.conditions import ConditionFailed
from comptasecure.store.transaction import Transaction

EMAIL = "email"
EMAIL_CHANGE_CODE = "email_change_code"
START_WORKFLOWS = "start_workflows"
WITHDRAW_TASKS = "withdraw_tasks"
RESUME_TASK = "resume_task"
FORGET_USER = "forget_user"
TIDY_SESSIONS = "tidy_sessions"
PURGE_ACCOUNT = "purge_account"
EXPORT_AUDIT = "export_audit"
SEND_NEW_CODE = "send_new_code"
FORGET_GROUP = "forget_group"
GRANT_FOLDER = "grant_folder"

WorkflowStep = Literal["invitation", "code"]


def email(tx: Transaction, account_id: str, to: str, template: str, **params: Any) -> None:
    """A notice (``emails/templates.py``'s ``NOTICES[template]``), rendered and sent by the dispatcher."""
    outbox.add(tx, keys.account_pk(account_id), EMAIL, {"to": to, "template": template, "params": params})


def email_change_code(tx: Transaction, account_id: str, user_id: str, new_email: str) -> None:
    """Issue the email change's code and send it to the new address (the code exists only then)."""
    outbox.add(tx, keys.account_pk(account_id), EMAIL_CHANGE_CODE, {"user_id": user_id, "new_email": new_email})


def start_workflow(
    tx: Transaction,
    account_id: str,
    user_id: str,
    *,
    step: WorkflowStep,
    purpose: str,
    invitation: dict[str, Any] | None = None,
) -> None:
    """Start the identity workflow for one user: at the invitation (its email's content given) or the code."""
    start_workflows(tx, account_id, step=step, purpose=purpose, users=[(user_id, invitation)])


def start_workflows(
    tx: Transaction,
    account_id: str,
    *,
    step: WorkflowStep,
    purpose: str,
    users: Sequence[tuple[str, dict[str, Any] | None]],
) -> None:
    """One workflow per (user id, invitation email content): a batch of invitations owes one item."""
    outbox.add(
        tx,
        keys.account_pk(account_id),
        START_WORKFLOWS,
        {"step": step, "purpose": purpose, "users": [[user_id, invitation] for user_id, invitation in users]},
    )


def withdraw_tasks(
    tx: Transaction, account_id: str, task_tokens: Sequence[str], reason: Literal["Superseded", "Cancelled"]
) -> None:
    """End the waits a change made pointless (a newer code or link, a removed user)."""
    if task_tokens:
        outbox.add(
            tx, keys.account_pk(account_id), WITHDRAW_TASKS, {"task_tokens": list(task_tokens), "reason": reason}
        )


def resume_task(tx: Transaction, account_id: str, task_token: str | None, output: dict[str, Any]) -> None:
    """Tell the waiting workflow task that the user did what it waited for."""
    if task_token:
        outbox.add(tx, keys.account_pk(account_id), RESUME_TASK, {"task_token": task_token, "output": output})


def forget_user(tx: Transaction, account_id: str, user_id: str) -> None:
    """A removed user's sessions, FEC grants, passkeys and folder places go (its files stay on the
    account, R-PRO-3)."""
    outbox.add(tx, keys.account_pk(account_id), FORGET_USER, {"user_id": user_id})


def tidy_sessions(tx: Transaction, account_id: str, user_id: str, epoch: int) -> None:
    """Sessions of an epoch the user left are already refused; their items go too (and leave the list)."""
    outbox.add(tx, keys.account_pk(account_id), TIDY_SESSIONS, {"user_id": user_id, "epoch": epoch})


def forget_group(tx: Transaction, account_id: str, group_id: str, member_ids: Sequence[str]) -> None:
    """A deleted group's record of shared files goes, and the memberships its transaction had no room for."""
    outbox.add(tx, keys.account_pk(account_id), FORGET_GROUP, {"group_id": group_id, "member_ids": list(member_ids)})


def purge_account(tx: Transaction, account_id: str, stripe_customer_id: str | None) -> None:
    """Everything left of a deleted account goes (PurgeAccountFunction, asynchronously)."""
    outbox.add(tx, keys.account_pk(account_id), PURGE_ACCOUNT, {"stripe_customer_id": stripe_customer_id})


def export_audit(tx: Transaction, account_id: str, export_id: str) -> None:
    """A large audit export is written to the bucket by AuditExportWorkerFunction."""
    outbox.add(tx, keys.account_pk(account_id), EXPORT_AUDIT, {"export_id": export_id})


def send_new_code(tx: Transaction, email: str) -> None:
    """A new confirmation code was asked for this email: the dispatcher looks the email up and, for a
    user still waiting for a code, starts a new one. Owed in the email's partition, the same for every
    email, known or not, so the request tells nothing of it."""
    outbox.add(tx, keys.email_pk(email), SEND_NEW_CODE, {"email": email})


def redrive_overdue(now: str) -> dict[str, int]:
    """Cleanup job: each follow-up still owed past its due time is delivered again by the stream, at
    most MAX_REDRIVES times; then it leaves the index and waits for a person (an ERROR log line)."""
    counts = {"redriven": 0, "given_up": 0}
    next_due = clock.iso(clock.from_epoch(clock.epoch(clock.now()) + outbox.DUE_SECONDS))
    for item in expiry.expired(outbox.EXPIRY_KIND, now):
        try:
            outbox.redrive(item["PK"], item["SK"], next_due)
            counts["redriven"] += 1
        except ConditionFailed:
            with suppress(ConditionFailed):
                outbox.give_up(item["PK"], item["SK"])
                counts["given_up"] += 1
                logger.error("follow-up still owed after every redrive", extra={"pk": item["PK"], "sk": item["SK"]})
    return counts


def grant_folder(
    tx: Transaction,
    account_id: str,
    folder_key: str,
    user_ids: Sequence[str],
    granted_by: str,
    *,
    fec_id: str | None = None,
) -> None:
    """The grants a folder share owes, too many for its own transaction: each of these users, each file
    of the folder (or this one file, just registered in it)."""
    outbox.add(
        tx,
        keys.account_pk(account_id),
        GRANT_FOLDER,
        {"folder_key": folder_key, "user_ids": sorted(user_ids), "granted_by": granted_by, "fec_id": fec_id},
    )
