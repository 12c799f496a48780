"""What must hold over a whole account once a run has drained, whatever failed on the way.

Read from the outside of the functions: the table (a Query on the account's partition, GetItems on
email claims), the bucket, the local mailbox (local/emails.py), the workflow's executions,
localstripe's customers, and the API itself where a person would look (GET /users as a manager,
GET /me with an old session's token).

Each check returns the failures it found, each with a one-line reason and whether a person can see
it (a failed state on a user's row, a confirmation page waiting for a code the user can ask again):
a failure nobody can see is silent. The checks:

- counters: ``user_count`` equals the USER# items, ``group_count`` the GROUP# items, each group's
  ``member_count`` its members; credit balances equal their movements;
- memberships: both sides of each group membership agree, each group has its name claim and each
  claim its group, no share recorded for a group that is gone;
- nothing of a deleted user: no session, code, invitation or grant without its user in the
  partition; no email claim and no running workflow of a user gone since the arrange;
- nothing of a deleted account: no item in its partition, no object under its bucket prefixes, no
  Stripe customer or customer link, no email claim, no running workflow;
- links and codes: every invited user holds (in an email) an unexpired link whose workflow still
  waits, every pending_confirmation user an unexpired confirmation code, every pending password or
  email change its code; an expired one is the normal state a person renews, not a failure;
- sessions: those opened before a change that must end them (password, email, MFA, revocation)
  answer 401;
- notices: each email sent at most as many times as in the fault-free run (unless the function died
  right after that very send: noted, not hidden), and each notice a recorded change owes was sent;
- audit: after a retry that carried the key, no action recorded more often than the fault-free run
  records it (one event per change);
- Stripe: at most one customer per account (``metadata.account_id``), the linked one among them.
"""

import functools
import hashlib
import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import boto3

from comptasecure import clock
from comptasecure.domain import codes as code_rules
from comptasecure.emails import templates
from comptasecure.store import keys
from local import emails
from tests import billing_helpers
from tests.faults.injection import Call, background
from tests.helpers import partition

if TYPE_CHECKING:
    from tests.faults.scenarios import Context, Scenario


@dataclass(frozen=True)
class Failure:
    invariant: str
    reason: str
    visible: bool = False


@dataclass
class Before:
    """What the accounts held before the act, to tell what the act (and its retries) changed."""

    users: dict[str, dict[str, str]]
    """Account -> {user id: email} of the users it had."""
    audit: dict[str, set[str]]
    """Account -> sort keys of its audit events."""
    customers: dict[str, str | None]
    """Account -> its Stripe customer id."""
    mailbox: int
    """How many emails had been sent (the mailbox is append-only)."""


@dataclass
class Observed:
    """What the act did, comparable from one run to another (people by label, not by address)."""

    audit: Counter[str] = field(default_factory=Counter)
    notices: Counter[tuple[str, str]] = field(default_factory=Counter)
    events: list[dict[str, Any]] = field(default_factory=list)


@functools.cache
def _table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


@functools.cache
def _sfn() -> Any:
    return boto3.client("stepfunctions")


def account_customer(account_id: str) -> str | None:
    item = _table().get_item(Key=keys.key(keys.account_pk(account_id), keys.ACCOUNT_META)).get("Item") or {}
    return str(item["stripe_customer_id"]) if item.get("stripe_customer_id") else None


def claimed_account(address: str) -> str | None:
    item = _table().get_item(Key=keys.key(keys.email_pk(address), keys.EMAIL_SK)).get("Item")
    return str(item["account_id"]) if item else None


def before(ctx: "Context") -> Before:
    users: dict[str, dict[str, str]] = {}
    audit: dict[str, set[str]] = {}
    customers: dict[str, str | None] = {}
    for account_id in ctx.account_ids():
        items = partition(_table(), account_id)
        users[account_id] = {i["id"]: i["email"] for i in items if i["SK"].startswith(keys.USER_PREFIX)}
        audit[account_id] = {i["SK"] for i in items if i["SK"].startswith("AUDIT#")}
        meta = next((i for i in items if i["SK"] == keys.ACCOUNT_META), None)
        customers[account_id] = meta.get("stripe_customer_id") if meta else None
    return Before(users, audit, customers, len(emails.sent(None)))


def observe(ctx: "Context", was: Before, partitions: dict[str, list[dict[str, Any]]] | None = None) -> Observed:
    """The audit events the act added to the accounts (``partitions``: their items, already read) and
    the emails sent since, by label and kind."""
    observed = Observed()
    for account_id in ctx.account_ids():
        items = partitions[account_id] if partitions else partition(_table(), account_id, "AUDIT#")
        for item in items:
            if item["SK"].startswith("AUDIT#") and item["SK"] not in was.audit.get(account_id, set()):
                observed.audit[item["action"]] += 1
                observed.events.append(item)
    labels = ctx.labels()
    for email in emails.sent(None)[was.mailbox :]:
        for address in email["to"].split(", "):
            if address in labels:
                observed.notices[(labels[address], kind_of(email["subject"]))] += 1
    return observed


# ---------------------------------------------------------------- the checks
def check(
    ctx: "Context",
    scenario: "Scenario",
    was: Before,
    reference: Observed | None,
    *,
    since: int,
    careful: bool,
    died_after: Call | None,
    stripe_calls: bool,
) -> tuple[list[Failure], list[str]]:
    """Every invariant over the accounts the run touched: the failures, and notes (what is not a failure
    but must not be hidden). ``stripe_calls``: whether the run called Stripe (only then, or when an account
    has a customer, are Stripe's customers listed)."""
    partitions = {account_id: partition(_table(), account_id) for account_id in ctx.account_ids()}
    observed = observe(ctx, was, partitions)
    failures: list[Failure] = []
    metas = {a: next((i for i in items if i["SK"] == keys.ACCOUNT_META), None) for a, items in partitions.items()}
    linked = any(meta and meta.get("stripe_customer_id") for meta in metas.values()) or any(was.customers.values())
    customers = _customers_by_account() if stripe_calls or linked else Counter[str]()
    for account_id, items in partitions.items():
        meta = metas[account_id]
        if meta is None:
            failures += deleted_account(ctx, account_id, items, was, customers, since)
            continue
        failures += counters(meta, items)
        failures += memberships(items)
        failures += orphans(items)
        failures += deleted_users(account_id, items, was, since)
        failures += links_and_codes(ctx, account_id, items)
        failures += stripe_customer(account_id, meta, customers)
    failures += sessions(ctx, scenario, observed)
    found, notes = notices(ctx, observed, reference, careful=careful, died_after=died_after)
    failures += found
    if careful and scenario.keyed_retry and reference is not None:
        failures += audit(observed, reference)
    return failures, notes


def counters(meta: dict[str, Any], items: list[dict[str, Any]]) -> list[Failure]:
    found = []
    users = sum(1 for i in items if i["SK"].startswith(keys.USER_PREFIX))
    if int(meta.get("user_count", 0)) != users:
        found.append(Failure("counters", f"user_count is {meta.get('user_count')} for {users} users"))
    groups = [i for i in items if i["SK"].startswith("GROUP#")]
    if int(meta.get("group_count", 0)) != len(groups):
        found.append(Failure("counters", f"group_count is {meta.get('group_count', 0)} for {len(groups)} groups"))
    for group in groups:
        if int(group.get("member_count", 0)) != len(group.get("member_ids") or ()):
            found.append(Failure("counters", f"group {_short(group['id'])}: member_count differs from its members"))
    movements: Counter[tuple[str, str]] = Counter()
    for movement in (i for i in items if i["SK"].startswith(keys.CREDIT_HISTORY_PREFIX)):
        delta = int(movement["delta"])
        movements[(str(movement["type"]), "granted" if delta > 0 else "consumed")] += abs(delta)
    for balance in (i for i in items if i["SK"].startswith(keys.CREDIT_PREFIX)):
        kind = str(balance["SK"]).removeprefix(keys.CREDIT_PREFIX)
        granted, consumed = int(balance.get("granted", 0)), int(balance.get("consumed", 0))
        if (granted, consumed) != (movements[(kind, "granted")], movements[(kind, "consumed")]):
            found.append(Failure("counters", f"credits {kind}: balance {granted}/{consumed} differs from its history"))
        if int(balance.get("remaining", 0)) != granted - consumed:
            found.append(Failure("counters", f"credits {kind}: remaining is not granted minus consumed"))
    return found


def memberships(items: list[dict[str, Any]]) -> list[Failure]:
    users = {i["id"]: i for i in items if i["SK"].startswith(keys.USER_PREFIX)}
    groups = {i["id"]: i for i in items if i.get("kind") == "group"}
    found = []
    for user_id, user in users.items():
        for group_id in sorted(user.get("group_ids") or ()):
            if group_id not in groups:
                found.append(Failure("memberships", f"user {_short(user_id)} is in group {_short(group_id)}, gone"))
            elif user_id not in (groups[group_id].get("member_ids") or ()):
                found.append(Failure("memberships", f"user {_short(user_id)} lists a group that does not list it"))
    for group_id, group in groups.items():
        for user_id in sorted(group.get("member_ids") or ()):
            if user_id not in users:
                found.append(Failure("memberships", f"group {_short(group_id)} lists user {_short(user_id)}, gone"))
            elif group_id not in (users[user_id].get("group_ids") or ()):
                found.append(Failure("memberships", f"group {_short(group_id)} lists a user that does not list it"))
    claims = {i["group_id"]: i for i in items if i.get("kind") == "group_name"}
    for group_id, group in groups.items():
        claim = claims.get(group_id)
        if claim is None or claim["SK"] != keys.group_name_sk(group["name"]):
            found.append(Failure("memberships", f"group {_short(group_id)} has no claim on its name"))
    for group_id in claims.keys() - groups.keys():
        found.append(Failure("memberships", f"a group name is still claimed by deleted group {_short(group_id)}"))
    for share in (i for i in items if i["SK"].startswith("GROUPFEC#")):
        if share["SK"].split("#")[1] not in groups:
            found.append(Failure("memberships", "a share with a deleted group is left"))
    return _once(found)


# Items that belong to a user: none may outlive the user (their SK: <PREFIX><user id>#…).
USER_OWNED = {"SESSION#": "session", "CODE#": "code", "INVITATION#": "invitation link", "GRANT#": "file grant"}


def orphans(items: list[dict[str, Any]]) -> list[Failure]:
    users = {i["id"] for i in items if i["SK"].startswith(keys.USER_PREFIX)}
    left: Counter[str] = Counter()
    for item in items:
        for prefix, what in USER_OWNED.items():
            if item["SK"].startswith(prefix) and item["SK"].removeprefix(prefix).split("#")[0] not in users:
                left[what] += 1
    return [
        Failure("deleted user", f"{count} {what}(s) of a deleted user left") for what, count in sorted(left.items())
    ]


def deleted_users(account_id: str, items: list[dict[str, Any]], was: Before, since: int) -> list[Failure]:
    """Outside the partition: a user gone since the arrange keeps no email claim and no running workflow."""
    present = {i["id"] for i in items if i["SK"].startswith(keys.USER_PREFIX)}
    found = []
    for user_id, email in was.users.get(account_id, {}).items():
        if user_id in present:
            continue
        claim = _table().get_item(Key=keys.key(keys.email_pk(email), keys.EMAIL_SK)).get("Item")
        if claim and claim.get("user_id") == user_id:
            found.append(
                Failure("deleted user", "the deleted user's email is still claimed (it cannot be invited again)")
            )
        if running_workflows([user_id], since):
            found.append(Failure("deleted user", "a workflow of the deleted user still runs (it will email them)"))
    return found


def deleted_account(
    ctx: "Context", account_id: str, items: list[dict[str, Any]], was: Before, customers: Counter[str], since: int
) -> list[Failure]:
    found = []
    if items:
        kinds = Counter(str(i.get("kind", i["SK"].split("#")[0].lower())) for i in items)
        listed = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
        found.append(Failure("deleted account", f"{len(items)} items left in its partition ({listed})"))
    if objects := _objects_left(account_id):
        found.append(Failure("deleted account", f"{objects} object version(s) left in the bucket"))
    if customers[account_id]:
        found.append(Failure("deleted account", f"{customers[account_id]} Stripe customer(s) left"))
    customer_id = was.customers.get(account_id) or ctx.values.get("customer")
    if customer_id and _table().get_item(
        Key=keys.key(keys.stripe_customer_pk(customer_id), keys.STRIPE_CUSTOMER_SK)
    ).get("Item"):
        found.append(Failure("deleted account", "its Stripe customer link is left"))
    addresses = set(ctx.labels()) | {email for email in was.users.get(account_id, {}).values()}
    if any(claimed_account(address) == account_id for address in addresses):
        found.append(Failure("deleted account", "an email is still claimed by it (it cannot sign up again)"))
    user_ids = set(was.users.get(account_id, {})) | {m.user_id for m in ctx.people.values()}
    user_ids |= {str(v) for k, v in ctx.values.items() if k.endswith("_id") and isinstance(v, str)}
    if running_workflows(sorted(user_ids), since):
        found.append(Failure("deleted account", "a workflow of its users still runs (it will email them)"))
    return found


def _objects_left(account_id: str) -> int:
    s3 = boto3.client("s3")
    bucket = os.environ["FEC_BUCKET"]
    listed = s3.list_object_versions(Bucket=bucket, Prefix=f"accounts/{account_id}/")
    return len(listed.get("Versions", [])) + len(listed.get("DeleteMarkers", []))


def running_workflows(user_ids: Iterable[str], since: int) -> list[str]:
    wanted = [user_id for user_id in user_ids if user_id]
    return [
        arn
        for arn in background.executions(since)
        if any(user_id in arn for user_id in wanted)
        and _sfn().describe_execution(executionArn=arn)["status"] == "RUNNING"
    ]


def links_and_codes(ctx: "Context", account_id: str, items: list[dict[str, Any]]) -> list[Failure]:
    """Each user waiting on an email holds a link or code that works now (an expired one: renewed by a person)."""
    by_sk = {i["SK"]: i for i in items}
    now = clock.iso(clock.now())
    found = []
    for user in (i for i in items if i["SK"].startswith(keys.USER_PREFIX)):
        user_id, email = user["id"], str(user["email"])
        if user["status"] == "invited":
            expires = user.get("invitation_expires_at")
            problem = _invitation_problem(by_sk.get(keys.invitation_sk(user_id)), email, now)
            if problem and not (expires and expires <= now):
                found.append(Failure("links and codes", f"invited user: {problem}", _row_shows_failure(ctx, user_id)))
        waiting = (
            (user["status"] == "pending_confirmation", code_rules.CONFIRMATION, email, "pending user"),
            (bool(user.get("pending_password_hash")), code_rules.PASSWORD_CHANGE, email, "password change"),
            (bool(user.get("pending_email")), code_rules.EMAIL_CHANGE, str(user.get("pending_email")), "email change"),
        )
        for is_waiting, purpose, address, what in waiting:
            if is_waiting and (problem := _code_problem(by_sk.get(keys.code_sk(user_id, purpose)), address, now)):
                # The person waits for the code on a page that offers to send another one.
                found.append(Failure("links and codes", f"{what}: {problem}", visible=True))
    return found


def _invitation_problem(link: dict[str, Any] | None, address: str, now: str) -> str | None:
    if link is None:
        return "no invitation link"
    if link["expires_at"] <= now:
        return None
    if _sfn().describe_execution(executionArn=link["execution_arn"])["status"] != "RUNNING":
        return "its link's workflow has ended (accepting it would send no code)"
    sent = {hashlib.sha256(t.encode()).hexdigest() for t in _tokens_in(emails.sent(address))}
    return None if link["token_hash"] in sent else "its link was never emailed"


def _tokens_in(sent: list[dict[str, Any]]) -> list[str]:
    return [
        match.split(".")[-1] for email in sent for match in re.findall(r"invitation\?token=([\w.\-]+)", email["text"])
    ]


def _code_problem(stored: dict[str, Any] | None, address: str, now: str) -> str | None:
    if stored is None:
        return "no code"
    if stored["expires_at"] <= now:
        return None
    account_id = keys.account_id_of(str(stored["PK"]))
    _, user_id, purpose = str(stored["SK"]).split("#", 2)
    for email in emails.sent(address):
        for code in re.findall(r"\b(\d{6})\b", email["text"]):
            if code_rules.code_hash(account_id, user_id, purpose, code) == stored["code_hash"]:
                return None
    return "its code was never emailed"


def _row_shows_failure(ctx: "Context", user_id: str) -> bool:
    """Whether the users table (GET /users, as a manager sees it) shows this user in a failed state."""
    manager = ctx.manager()
    if manager is None:
        return False
    reply = manager.client.get("/users?limit=100")
    rows = {row["id"]: row for row in reply.body.get("items", [])} if reply.status == 200 else {}
    row: dict[str, Any] = rows.get(user_id, {})
    return bool(row.get("status") == "invitation_expired" or row.get("email_delivery", "ok") != "ok")


def sessions(ctx: "Context", scenario: "Scenario", observed: Observed) -> list[Failure]:
    found = []
    for action, label in scenario.ends_sessions.items():
        if observed.audit[action] and label in ctx.others:
            status = ctx.client.get("/me", token=ctx.others[label]).status
            if status != 401:
                found.append(Failure("sessions", f"a session opened before {action} still works ({status})"))
    return found


def stripe_customer(account_id: str, meta: dict[str, Any], customers: Counter[str]) -> list[Failure]:
    found = []
    if customers[account_id] > 1:
        found.append(Failure("stripe", f"{customers[account_id]} Stripe customers for one account"))
    linked = meta.get("stripe_customer_id")
    if linked:
        link = _table().get_item(Key=keys.key(keys.stripe_customer_pk(linked), keys.STRIPE_CUSTOMER_SK)).get("Item")
        if not link or link.get("account_id") != account_id:
            found.append(Failure("stripe", "the account's Stripe customer has no link back to it"))
        if customers[account_id] == 0:
            found.append(Failure("stripe", "the account's Stripe customer does not exist at Stripe"))
    return found


def _customers_by_account() -> Counter[str]:
    listed = billing_helpers.stripe_client().v1.customers.list({"limit": 100}).auto_paging_iter()
    return Counter(str((c.to_dict().get("metadata") or {}).get("account_id", "")) for c in listed)


# ---------------------------------------------------------------- notices and audit events
def notices(
    ctx: "Context", observed: Observed, reference: Observed | None, *, careful: bool, died_after: Call | None
) -> tuple[list[Failure], list[str]]:
    found: list[Failure] = []
    notes: list[str] = []
    labels = ctx.labels()
    if careful and reference is not None:
        for (label, kind), count in sorted(observed.notices.items()):
            allowed = reference.notices[(label, kind)]
            if count <= allowed:
                continue
            if died_after and died_after.name == "ses.SendEmail" and labels.get(died_after.recipient or "") == label:
                notes.append(f"{kind} sent {count} times to the {label}: the function died right after sending it")
            else:
                found.append(Failure("notices", f"{kind} sent {count} times to the {label} for one change"))
    owed: Counter[tuple[str, str]] = Counter()
    for event in observed.events:
        for address, kind in owed_notices(event):
            owed[(labels.get(address.lower(), address), kind)] += 1
    for (label, kind), count in sorted(owed.items()):
        # A change recorded twice (a retry that did it again, reported by the audit check) owes its notice once.
        wanted = min(count, reference.notices[(label, kind)]) if reference is not None else count
        if observed.notices[(label, kind)] < wanted:
            found.append(Failure("notices", f"{kind} never sent to the {label}"))
    return found, notes


def owed_notices(event: dict[str, Any]) -> list[tuple[str, str]]:
    """The notices (not codes: those are checked by what they unlock) a recorded change owes."""
    details = event.get("details") or {}
    if event["action"] == "user.password_changed":
        return [(str(event["actor_email"]), PASSWORD_CHANGED)]
    if event["action"] == "user.email_change_requested":
        return [(str(details["email"]), EMAIL_CHANGE_REQUESTED)]
    if event["action"] == "user.email_changed":
        return [(str(details["email"]["before"]), EMAIL_CHANGED)]
    return []


def audit(observed: Observed, reference: Observed) -> list[Failure]:
    return [
        Failure("audit", f"{action} recorded {count} times for one change")
        for action, count in sorted(observed.audit.items())
        if count > reference.audit[action]
    ]


PASSWORD_CHANGED = "password-changed notice"
EMAIL_CHANGE_REQUESTED = "email-change notice"
EMAIL_CHANGED = "email-changed notice"


@functools.cache
def _subjects() -> list[tuple[str, str]]:
    """(kind, the fixed start of its subject), from the templates themselves (a code, an account name or
    an address given as a NUL marks where the subject stops being fixed)."""
    mark = "\0"
    emails = [
        ("confirmation code", templates.confirmation_code(None, mark, 1)),
        ("password-change code", templates.password_change_code(None, mark, 1)),
        ("email-change code", templates.email_change_code(None, mark, 1)),
        (PASSWORD_CHANGED, templates.password_changed(None)),
        (EMAIL_CHANGE_REQUESTED, templates.email_change_requested(None, mark)),
        (EMAIL_CHANGED, templates.email_changed(None, mark)),
        ("invitation", templates.invitation(None, mark, mark, mark, 1)),
    ]
    return [(kind, email.subject.split(mark)[0]) for kind, email in emails]


def kind_of(subject: str) -> str:
    return next((kind for kind, start in _subjects() if subject.startswith(start)), f"email «{subject}»")


def _short(identifier: str) -> str:
    return identifier[:8]


def _once(failures: list[Failure]) -> list[Failure]:
    return list(dict.fromkeys(failures))
