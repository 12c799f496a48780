"""The write scenarios of the fault matrix: one or more per write route of API.md, plus the workers.

A scenario is an arrange (a fresh account, through tests/seed.py and the HTTP journeys of
tests/helpers.py), an act (one HTTP request, or one invocation for a worker), and what a retry of it
is (``client``). Adding one is a few lines at the end of this file (see tests/faults/__init__.py).
"""

import json
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from benchmarks.call_budget import sample_body
from comptasecure.domain import totp
from local import template
from local.emulator import refusing_invocations
from tests import billing_helpers, seed
from tests.faults import injection, invariants
from tests.helpers import (
    PASSWORD,
    Client,
    Member,
    add_member,
    code_in,
    follow_ups_done,
    invitation_token,
    login,
    owner_of_new_account,
    signup,
    unique_email,
    wait_for_email,
)

NEW_PASSWORD = "Un nouveau mot de passe 2027"
# The routes API.md exempts from Idempotency-Key: a retry of them carries no key the route honours.
UNKEYED_ROUTES = ("POST /auth/login", "POST /auth/mfa", "POST /auth/refresh", "POST /auth/logout", "POST /auth/passkey")

ClientKind = Literal["person", "stripe", "lambda", "scheduler"]
"""Who retries, and how: a person's browser (retries a 5xx, with the same Idempotency-Key when
careful), Stripe (redelivers the same event after any non-2xx), Lambda (runs a failed asynchronous
invocation again with the same event), the scheduler (the next run)."""


@dataclass(frozen=True)
class Request:
    """One HTTP request through the local API; ``token`` None: a public route."""

    method: str
    path: str
    body: Any = None
    raw: bytes | None = None
    content_type: str = "application/json"
    token: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Invocation:
    """One invocation of a function that no route serves (a worker, a scheduled job)."""

    function: str
    event: dict[str, Any]


@dataclass
class Context:
    """What an arrange leaves for the act and the checks: the account, its people, other values."""

    client: Client
    account_id: str | None
    people: dict[str, Member] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    addresses: dict[str, str] = field(default_factory=dict)
    """Other addresses the act may write to (an invitee, a new email), by label."""
    others: dict[str, str] = field(default_factory=dict)
    """A second session of a person, opened before the act: its access token, by the person's label."""
    claims: tuple[str, ...] = ()
    """Addresses whose email claim names an account the act may create (a signup)."""

    def request(self, who: str | None, method: str, path: str, body: Any = None, **options: Any) -> Request:
        token = self.people[who].token if who else None
        return Request(method, path, body, token=token, **options)

    def labels(self) -> dict[str, str]:
        """Every address the checks know, lower-cased, to its label (owner, member, invitee…)."""
        known = {member.email.lower(): label for label, member in self.people.items()}
        known.update({address.lower(): label for label, address in self.addresses.items()})
        return known

    def manager(self) -> Member | None:
        """Someone who may read the users table (GET /users), logged in."""
        return next((m for m in self.people.values() if m.tokens and m.role in ("owner", "admin")), None)

    def account_ids(self) -> list[str]:
        found = [self.account_id] if self.account_id else []
        for address in self.claims:
            account = invariants.claimed_account(address)
            if account and account not in found:
                found.append(account)
        return found


Act = Callable[[Context], Request | Invocation]


@dataclass(frozen=True)
class Scenario:
    name: str
    route: str
    """``METHOD /path`` of template.yaml, or the logical id of a function no route serves."""
    arrange: Callable[[Client], Context]
    act: Act
    client: ClientKind = "person"
    ends_sessions: Mapping[str, str] = field(default_factory=dict)
    """Audit action -> label of the person whose other sessions that change must end."""
    settings: Mapping[str, str] = field(default_factory=dict)
    """Environment variables for the scenario (e.g. no resend interval), as a deployment would set them."""
    holds_clock: bool = False
    """The back end's clock stands still during each run (TOTP codes of consecutive steps, see injection)."""

    @property
    def function(self) -> str:
        if " " not in self.route:
            return self.route
        method, path = self.route.split(" ", 1)
        return next(r.function.logical_id for r in template.routes() if (r.method, r.path) == (method, path))

    @property
    def careless_variant(self) -> bool:
        """Only a person's client retries without the key; Stripe, Lambda and the scheduler resend the same."""
        return self.client == "person"

    @property
    def keyed_retry(self) -> bool:
        """Whether the careful retry carries a key the route honours (an Idempotency-Key, a Stripe event
        id, the same asynchronous event): then one change must leave one audit event."""
        return not any(self.route.startswith(unkeyed) for unkeyed in UNKEYED_ROUTES)


SCENARIOS: list[Scenario] = []


def scenario(
    name: str,
    route: str,
    arrange: Callable[[Client], Context],
    act: Act,
    *,
    client: ClientKind = "person",
    ends_sessions: Mapping[str, str] | None = None,
    settings: Mapping[str, str] | None = None,
    holds_clock: bool = False,
) -> None:
    SCENARIOS.append(Scenario(name, route, arrange, act, client, ends_sessions or {}, settings or {}, holds_clock))


def by_name(names: list[str] | None = None) -> list[Scenario]:
    if not names:
        return list(SCENARIOS)
    known = {s.name: s for s in SCENARIOS}
    unknown = [name for name in names if name not in known and not any(s.route == name for s in SCENARIOS)]
    if unknown:
        raise SystemExit(f"unknown scenario(s): {', '.join(unknown)}; known: {', '.join(known)}")
    return [s for s in SCENARIOS if s.name in names or s.route in names]


# ---------------------------------------------------------------- arranging
def team(client: Client, *roles: str, account_type: str = "premium") -> Context:
    """A new account's owner (seeded, logged in) and one seeded, logged-in user per role, labelled by role
    (a second one of a role gets a number: member2)."""
    owner = owner_of_new_account(client)
    if account_type != "freemium":
        seed.account_type(owner.account_id, account_type)
    ctx = Context(client, owner.account_id, {"owner": owner})
    for role in roles:
        label = (
            role if role not in ctx.people else f"{role}{sum(1 for name in ctx.people if name.startswith(role)) + 1}"
        )
        ctx.people[label] = add_member(client, owner.account_id, role)
    return ctx


def second_session(ctx: Context, label: str) -> None:
    """The person logs in once more (another device): that session must end where a change ends others."""
    ctx.others[label] = str(login(ctx.client, ctx.people[label].email)["access_token"])


def invited(ctx: Context, label: str = "invitee") -> None:
    """The owner invites a new address; the invitation email arrives (its link in ``values[label_token]``)."""
    email = unique_email(label)
    reply = ctx.people["owner"].client.post("/users", {"users": [{"email": email, "first_name": "Léa"}]})
    assert reply.status == 207 and reply.body["results"][0]["status"] == "invited", reply.body
    ctx.addresses[label] = email
    ctx.values[f"{label}_id"] = reply.body["results"][0]["user_id"]
    ctx.values[f"{label}_token"] = invitation_token(email)


def group(ctx: Context, *members: str, name: str = "Mission Dupont") -> str:
    ids = [ctx.people[label].user_id for label in members]
    reply = ctx.people["owner"].client.post("/groups", {"name": name, "member_ids": ids})
    assert reply.status == 201, reply.body
    group_id = str(reply.body["id"])
    ctx.values["group_id"] = group_id
    return group_id


def fec(ctx: Context, *, upload: bool = False) -> str:
    """An FEC the owner registers (and, with ``upload``, uploads through its presigned URL, as the browser does)."""
    reply = ctx.people["owner"].client.post("/fecs", {"file_name": "732829320FEC20251231.txt", "folder": "Clients"})
    assert reply.status == 201, reply.body
    if upload:
        put = urllib.request.Request(reply.body["upload_url"], data=b"JournalCode|JournalLib\n", method="PUT")
        urllib.request.urlopen(put).read()
    ctx.values["fec_id"] = str(reply.body["id"])
    return str(reply.body["id"])


def share(ctx: Context, fec_id: str, *, users: tuple[str, ...] = (), group_ids: tuple[str, ...] = ()) -> None:
    body = {"user_ids": [ctx.people[label].user_id for label in users], "group_ids": list(group_ids)}
    reply = ctx.people["owner"].client.post(f"/fecs/{fec_id}/shares", body)
    assert reply.status == 200, reply.body


def with_totp(ctx: Context, label: str) -> None:
    """The person turns TOTP on; the codes of the next steps are for the act (``values['totp']``).

    A code is accepted once per 30-second step: enrolment takes the previous step's code, so the
    current and next steps' codes stay usable even if a step boundary passes meanwhile.
    """
    client = ctx.people[label].client
    secret = client.post("/me/mfa/totp").body["secret"]
    step = totp.step_at(injection.utc_now().timestamp())
    confirmed = client.post("/me/mfa/totp/confirm", {"code": totp.code_at(secret, (step - 1) * 30)})
    assert confirmed.status == 200, confirmed.body
    ctx.values["totp"] = secret
    ctx.values["step"] = step


def totp_code(ctx: Context, steps_after: int) -> str:
    return totp.code_at(str(ctx.values["totp"]), (int(ctx.values["step"]) + steps_after) * 30)


def signed_up(client: Client) -> Context:
    """A signup through the API, its code emailed (the owner cannot log in yet)."""
    email, reply = signup(client)
    assert reply.status == 201, reply.body
    owner = Member(reply.body["user_id"], email, reply.body["account_id"], "owner", {}, client)
    ctx = Context(client, owner.account_id, {"owner": owner})
    ctx.values["code"] = code_in(wait_for_email(email))
    return ctx


def alone_with_data(client: Client) -> Context:
    """An owner alone on an account holding a little of everything a purge must remove: a Stripe
    customer, an uploaded FEC, a group, the firm's information, a CRM, a password change waiting
    for its code (a running workflow)."""
    ctx = team(client)
    owner = ctx.people["owner"].client
    assert owner.put("/billing/address", billing_helpers.ADDRESS).status == 200
    fec(ctx, upload=True)
    group(ctx, "owner")
    assert owner.patch("/cabinet", sample_body("cabinet/update_cabinet")).status == 200
    assert owner.patch(f"/analyses/{uuid.uuid4().hex}/crm", sample_body("cabinet/update_crm")).status == 200
    change = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirmation": NEW_PASSWORD}
    assert owner.post("/me/password", change).status == 202
    wait_for_email(ctx.people["owner"].email)
    return ctx


def deleted_awaiting_purge(client: Client) -> Context:
    """The account deleted (DELETE /account committed) with its purge not run yet: Lambda refuses the
    purge's asynchronous invocation while its follow-up is delivered (it ends in the follow-ups'
    dead-letter queue), so the purge, as Lambda runs it, is the act."""
    ctx = alone_with_data(client)
    ctx.values["customer"] = invariants.account_customer(str(ctx.account_id))
    with refusing_invocations("PurgeAccountFunction"):
        reply = ctx.people["owner"].client.delete("/account")
        follow_ups_done(client)
    assert reply.status == 204, reply.body
    return ctx


def with_expired_invitation(client: Client) -> Context:
    """An invitation whose link expired (sent with the clock set back past its validity)."""
    ctx = team(client)
    with injection.clock_that_can_move() as advance:
        advance(-(7200 + 60))
        invited(ctx)
    return ctx


def linked(client: Client, account_type: str = "premium") -> Context:
    ctx = team(client, account_type=account_type)
    ctx.values["customer"] = billing_helpers.linked_customer(ctx.people["owner"])
    return ctx


def with_card(client: Client) -> Context:
    ctx = team(client)
    ctx.values["method"] = billing_helpers.add_method(ctx.people["owner"], "card")
    return ctx


def webhook(sample: str, **changes: Any) -> Act:
    """Stripe delivers one of events/stripe/ for the account's customer, signed as Stripe signs it."""

    def act(ctx: Context) -> Request:
        now = int(injection.utc_now().timestamp())
        event = billing_helpers.stripe_event(sample, str(ctx.values["customer"]), event_created=now + 60, **changes)
        payload = json.dumps(event)
        signature = billing_helpers.signature(payload, billing_helpers.webhook_secret())
        return Request(
            "POST",
            "/webhooks/stripe",
            raw=payload.encode(),
            content_type="application/json; charset=utf-8",
            headers={"stripe-signature": signature},
        )

    return act


def _then(arrange: Callable[[Client], Context], *steps: Callable[[Context], Any]) -> Callable[[Client], Context]:
    def arranged(client: Client) -> Context:
        ctx = arrange(client)
        for step in steps:
            step(ctx)
        return ctx

    return arranged


def _team(*roles: str, **options: Any) -> Callable[[Client], Context]:
    return lambda client: team(client, *roles, **options)


def _require_mfa_then_login(ctx: Context) -> None:
    """The account requires MFA; a user without it logs in and is sent to enrol (``values['mfa_token']``)."""
    email = unique_email("member")
    seed.user(str(ctx.account_id), email=email, role="member", status="active", password=PASSWORD)
    ctx.addresses["member"] = email
    assert ctx.people["owner"].client.patch("/account", {"require_mfa": True}).status == 200
    ctx.values["mfa_token"] = login(ctx.client, email)["mfa_token"]


def _enrol_at_login(ctx: Context) -> None:
    reply = ctx.client.post("/auth/mfa/enroll", {"mfa_token": ctx.values["mfa_token"]})
    assert reply.status == 200, reply.body
    ctx.values["totp"] = reply.body["secret"]
    ctx.values["step"] = totp.step_at(injection.utc_now().timestamp())


def _mfa_login_pending(ctx: Context) -> None:
    """The member, with TOTP on, logs in: the second step waits (``values['mfa_token']``)."""
    ctx.values["mfa_token"] = login(ctx.client, ctx.people["member"].email)["mfa_token"]


def _second_session_through_mfa(ctx: Context) -> None:
    token = login(ctx.client, ctx.people["member"].email)["mfa_token"]
    reply = ctx.client.post("/auth/mfa", {"mfa_token": token, "code": totp_code(ctx, 0)})
    assert reply.status == 200, reply.body
    ctx.others["member"] = reply.body["access_token"]


def _password_change_requested(ctx: Context) -> None:
    change = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirmation": NEW_PASSWORD}
    assert ctx.people["member"].client.post("/me/password", change).status == 202
    ctx.values["code"] = code_in(wait_for_email(ctx.people["member"].email))


def _email_change_requested(ctx: Context) -> None:
    ctx.addresses["new_email"] = unique_email("moved")
    body = {"new_email": ctx.addresses["new_email"], "current_password": PASSWORD}
    assert ctx.people["member"].client.post("/me/email", body).status == 202
    ctx.values["code"] = code_in(wait_for_email(ctx.addresses["new_email"]))


def _other_session_id(ctx: Context) -> None:
    sessions = ctx.people["member"].client.get("/me/sessions").body["items"]
    ctx.values["session_id"] = next(s["id"] for s in sessions if not s["current"])


def _new_address(label: str) -> Callable[[Context], None]:
    def add(ctx: Context) -> None:
        ctx.addresses[label] = unique_email(label)

    return add


def _signup_address(client: Client) -> Context:
    email = unique_email("owner")
    return Context(client, None, addresses={"owner": email}, claims=(email,))


def _csv(ctx: Context) -> bytes:
    rows = [f"{ctx.addresses[label]};Julien;Moreau;membre" for label in ("invitee", "invitee2")]
    return ("email;prenom;nom;role\r\n" + "\r\n".join(rows) + "\r\n").encode()


# ---------------------------------------------------------------- identity
scenario(
    "signup",
    "POST /auth/signup",
    _signup_address,
    lambda c: Request(
        "POST",
        "/auth/signup",
        {**sample_body("auth/signup"), "email": c.addresses["owner"], "password": PASSWORD},
    ),
)
scenario(
    "resend-code",
    "POST /auth/resend-code",
    signed_up,
    lambda c: Request("POST", "/auth/resend-code", {"email": c.people["owner"].email}),
    settings={"CODE_RESEND_INTERVAL_SECONDS": "0"},
)
scenario(
    "confirm",
    "POST /auth/confirm",
    signed_up,
    lambda c: Request("POST", "/auth/confirm", {"email": c.people["owner"].email, "code": c.values["code"]}),
)
scenario(
    "login",
    "POST /auth/login",
    _team("member"),
    lambda c: Request("POST", "/auth/login", {"email": c.people["member"].email, "password": PASSWORD}),
)
scenario(
    "refresh",
    "POST /auth/refresh",
    _team("member"),
    lambda c: Request("POST", "/auth/refresh", {"refresh_token": c.people["member"].tokens["refresh_token"]}),
)
scenario(
    "logout",
    "POST /auth/logout",
    _team("member"),
    lambda c: Request("POST", "/auth/logout", {"refresh_token": c.people["member"].tokens["refresh_token"]}),
)
scenario(
    "mfa-login",
    "POST /auth/mfa",
    _then(_team("member"), lambda c: with_totp(c, "member"), _mfa_login_pending),
    lambda c: Request("POST", "/auth/mfa", {"mfa_token": c.values["mfa_token"], "code": totp_code(c, 0)}),
    holds_clock=True,
)
scenario(
    "mfa-enroll",
    "POST /auth/mfa/enroll",
    _then(_team(), _require_mfa_then_login),
    lambda c: Request("POST", "/auth/mfa/enroll", {"mfa_token": c.values["mfa_token"]}),
)
scenario(
    "mfa-enroll-confirm",
    "POST /auth/mfa/enroll/confirm",
    _then(_team(), _require_mfa_then_login, _enrol_at_login),
    lambda c: Request(
        "POST", "/auth/mfa/enroll/confirm", {"mfa_token": c.values["mfa_token"], "code": totp_code(c, 0)}
    ),
    holds_clock=True,
)
scenario(
    "accept-invitation",
    "POST /invitations/accept",
    _then(_team(), invited),
    lambda c: Request("POST", "/invitations/accept", {"token": c.values["invitee_token"], "password": PASSWORD}),
)

# ---------------------------------------------------------------- profile and account security
scenario(
    "update-me",
    "PATCH /me",
    _team("member"),
    lambda c: c.request("member", "PATCH", "/me", {"first_name": "Léa", "job_title": "Comptable"}),
)
scenario(
    "change-password",
    "POST /me/password",
    _team("member"),
    lambda c: c.request(
        "member",
        "POST",
        "/me/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirmation": NEW_PASSWORD},
    ),
)
scenario(
    "confirm-password-change",
    "POST /me/password/confirm",
    _then(_team("member"), lambda c: second_session(c, "member"), _password_change_requested),
    lambda c: c.request("member", "POST", "/me/password/confirm", {"code": c.values["code"]}),
    ends_sessions={"user.password_changed": "member"},
)
scenario(
    "change-email",
    "POST /me/email",
    _then(_team("member"), _new_address("new_email")),
    lambda c: c.request(
        "member", "POST", "/me/email", {"new_email": c.addresses["new_email"], "current_password": PASSWORD}
    ),
)
scenario(
    "confirm-email-change",
    "POST /me/email/confirm",
    _then(_team("member"), lambda c: second_session(c, "member"), _email_change_requested),
    lambda c: c.request("member", "POST", "/me/email/confirm", {"code": c.values["code"]}),
    ends_sessions={"user.email_changed": "member"},
)
scenario(
    "revoke-session",
    "DELETE /me/sessions/{session_id}",
    _then(_team("member"), lambda c: second_session(c, "member"), _other_session_id),
    lambda c: c.request("member", "DELETE", f"/me/sessions/{c.values['session_id']}"),
    ends_sessions={"user.session_revoked": "member"},
)
scenario(
    "revoke-other-sessions",
    "POST /me/sessions/revoke-others",
    _then(_team("member"), lambda c: second_session(c, "member")),
    lambda c: c.request("member", "POST", "/me/sessions/revoke-others"),
    ends_sessions={"user.other_sessions_revoked": "member"},
)
scenario(
    "start-totp",
    "POST /me/mfa/totp",
    _team("member"),
    lambda c: c.request("member", "POST", "/me/mfa/totp"),
)
scenario(
    "confirm-totp",
    "POST /me/mfa/totp/confirm",
    _then(
        _team("member"),
        lambda c: second_session(c, "member"),
        lambda c: c.values.update(
            totp=c.people["member"].client.post("/me/mfa/totp").body["secret"],
            step=totp.step_at(injection.utc_now().timestamp()),
        ),
    ),
    lambda c: c.request("member", "POST", "/me/mfa/totp/confirm", {"code": totp_code(c, 0)}),
    ends_sessions={"user.mfa_enabled": "member"},
    holds_clock=True,
)
scenario(
    "disable-mfa",
    "DELETE /me/mfa",
    _then(_team("member"), lambda c: with_totp(c, "member"), _second_session_through_mfa),
    lambda c: c.request("member", "DELETE", "/me/mfa", {"current_password": PASSWORD, "code": totp_code(c, 1)}),
    ends_sessions={"user.mfa_disabled": "member"},
    holds_clock=True,
)
scenario(
    "delete-me",
    "DELETE /me",
    _then(
        _team("member"),
        lambda c: second_session(c, "member"),
        lambda c: group(c, "member"),
        lambda c: share(c, fec(c), users=("member",)),
    ),
    lambda c: c.request("member", "DELETE", "/me"),
)

# ---------------------------------------------------------------- the account
scenario(
    "rename-account",
    "PATCH /account",
    _team(),
    lambda c: c.request("owner", "PATCH", "/account", {"name": "Cabinet Dupont & Associés"}),
)
scenario(
    "transfer-ownership",
    "POST /account/transfer-ownership",
    _team("admin"),
    lambda c: c.request("owner", "POST", "/account/transfer-ownership", {"user_id": c.people["admin"].user_id}),
)
scenario(
    "delete-account",
    "DELETE /account",
    alone_with_data,
    lambda c: c.request("owner", "DELETE", "/account"),
)
scenario(
    "purge",
    "PurgeAccountFunction",
    deleted_awaiting_purge,
    lambda c: Invocation(
        "PurgeAccountFunction", {"account_id": c.account_id, "stripe_customer_id": c.values["customer"]}
    ),
    client="lambda",
)
scenario(
    "cleanup",
    "CleanupFunction",
    with_expired_invitation,
    lambda c: Invocation("CleanupFunction", {"source": "aws.scheduler", "detail-type": "Scheduled Event"}),
    client="scheduler",
)

# ---------------------------------------------------------------- users and invitations
scenario(
    "invite-user",
    "POST /users",
    _then(_team(), lambda c: group(c), _new_address("invitee")),
    lambda c: c.request(
        "owner",
        "POST",
        "/users",
        {"users": [{"email": c.addresses["invitee"], "first_name": "Léa", "group_ids": [c.values["group_id"]]}]},
    ),
)
scenario(
    "import-users",
    "POST /users/import",
    _then(_team(), _new_address("invitee"), _new_address("invitee2")),
    lambda c: c.request("owner", "POST", "/users/import", raw=_csv(c), content_type="text/csv"),
)
scenario(
    "resend-invitation",
    "POST /users/{id}/resend-invitation",
    _then(_team(), invited),
    lambda c: c.request("owner", "POST", f"/users/{c.values['invitee_id']}/resend-invitation"),
)
scenario(
    "update-user",
    "PATCH /users/{id}",
    _then(_team("member"), lambda c: group(c)),
    lambda c: c.request(
        "owner",
        "PATCH",
        f"/users/{c.people['member'].user_id}",
        {"last_name": "Martin", "group_ids": [c.values["group_id"]]},
    ),
)
scenario(
    "disable-user",
    "PATCH /users/{id}",
    _then(_team("member"), lambda c: second_session(c, "member")),
    lambda c: c.request("owner", "PATCH", f"/users/{c.people['member'].user_id}", {"active": False}),
    ends_sessions={"user.disabled": "member"},
)
scenario(
    "revoke-user-sessions",
    "POST /users/{id}/sessions/revoke",
    _then(_team("member"), lambda c: second_session(c, "member")),
    lambda c: c.request("owner", "POST", f"/users/{c.people['member'].user_id}/sessions/revoke"),
    ends_sessions={"user.sessions_revoked": "member"},
)
scenario(
    "promote-user",
    "POST /users/{id}/promote",
    _team("member"),
    lambda c: c.request("owner", "POST", f"/users/{c.people['member'].user_id}/promote"),
)
scenario(
    "delete-user",
    "DELETE /users/{id}",
    _then(
        _team("member"),
        lambda c: second_session(c, "member"),
        lambda c: group(c, "member"),
        lambda c: share(c, fec(c), users=("member",)),
    ),
    lambda c: c.request("owner", "DELETE", f"/users/{c.people['member'].user_id}"),
)
scenario(
    "delete-invited-user",
    "DELETE /users/{id}",
    _then(_team(), invited),
    lambda c: c.request("owner", "DELETE", f"/users/{c.values['invitee_id']}"),
)

# ---------------------------------------------------------------- groups and FEC sharing
scenario(
    "create-group",
    "POST /groups",
    _team("member"),
    lambda c: c.request(
        "owner", "POST", "/groups", {"name": "Mission Durand", "member_ids": [c.people["member"].user_id]}
    ),
)
scenario(
    "update-group",
    "PATCH /groups/{group_id}",
    _then(_team("member", "member"), lambda c: group(c, "member")),
    lambda c: c.request(
        "owner",
        "PATCH",
        f"/groups/{c.values['group_id']}",
        {"name": "Mission Durand", "member_ids": [c.people["member2"].user_id]},
    ),
)
scenario(
    "delete-group",
    "DELETE /groups/{group_id}",
    _then(_team("member"), lambda c: share(c, fec(c), group_ids=(group(c, "member"),))),
    lambda c: c.request("owner", "DELETE", f"/groups/{c.values['group_id']}"),
)
scenario(
    "reshare-group",
    "POST /groups/{group_id}/reshare",
    _then(
        _team("member", "member"),
        lambda c: share(c, fec(c), group_ids=(group(c, "member"),)),
        lambda c: c.people["owner"].client.patch(
            f"/groups/{c.values['group_id']}",
            {"member_ids": [c.people["member"].user_id, c.people["member2"].user_id]},
        ),
    ),
    lambda c: c.request("owner", "POST", f"/groups/{c.values['group_id']}/reshare", {}),
)
scenario(
    "register-fec",
    "POST /fecs",
    _team(),
    lambda c: c.request("owner", "POST", "/fecs", {"file_name": "732829320FEC20251231.txt", "folder": "Clients"}),
)
scenario(
    "share-fec",
    "POST /fecs/{fec_id}/shares",
    _then(_team("member", "member"), lambda c: group(c, "member2"), lambda c: fec(c)),
    lambda c: c.request(
        "owner",
        "POST",
        f"/fecs/{c.values['fec_id']}/shares",
        {"user_ids": [c.people["member"].user_id], "group_ids": [c.values["group_id"]]},
    ),
)

# ---------------------------------------------------------------- firm information and CRM
scenario(
    "update-cabinet",
    "PATCH /cabinet",
    _team(),
    lambda c: c.request("owner", "PATCH", "/cabinet", sample_body("cabinet/update_cabinet")),
)
scenario(
    "update-crm",
    "PATCH /analyses/{analysis_id}/crm",
    _team(),
    lambda c: c.request("owner", "PATCH", f"/analyses/{uuid.uuid4().hex}/crm", sample_body("cabinet/update_crm")),
)

# ---------------------------------------------------------------- billing (Stripe)
scenario(
    "put-billing-address",
    "PUT /billing/address",
    _team(),
    lambda c: c.request("owner", "PUT", "/billing/address", billing_helpers.ADDRESS),
)
scenario(
    "add-payment-method",
    "POST /billing/payment-methods",
    _team(),
    lambda c: c.request("owner", "POST", "/billing/payment-methods", {"type": "card"}),
)
scenario(
    "delete-payment-method",
    "DELETE /billing/payment-methods/{method_id}",
    with_card,
    lambda c: c.request("owner", "DELETE", f"/billing/payment-methods/{c.values['method']}"),
)
scenario(
    "set-default-payment-method",
    "POST /billing/payment-methods/{method_id}/default",
    with_card,
    lambda c: c.request("owner", "POST", f"/billing/payment-methods/{c.values['method']}/default"),
)
scenario(
    "webhook-customer-updated",
    "POST /webhooks/stripe",
    linked,
    webhook("customer_updated"),
    client="stripe",
)
scenario(
    "webhook-invoice-paid",
    "POST /webhooks/stripe",
    linked,
    webhook("invoice_paid"),
    client="stripe",
)
scenario(
    "webhook-payment-method-attached",
    "POST /webhooks/stripe",
    linked,
    webhook("payment_method_attached"),
    client="stripe",
)
scenario(
    "webhook-purchase",
    "POST /webhooks/stripe",
    lambda client: linked(client, "freemium"),
    webhook("payment_intent_succeeded"),
    client="stripe",
)


# ---------------------------------------------------------------- follow-ups (the dispatcher)
DISPATCHER = "FollowUpDispatcherFunction"


def _owing(route: Scenario) -> Callable[[Client], Context]:
    """The route's scenario arranged and acted fault-free, the follow-ups its change owes taken from the
    stream instead of delivered: the dispatcher run on those records is then the act."""

    def arrange(client: Client) -> Context:
        ctx = route.arrange(client)
        follow_ups_done(client)
        request = route.act(ctx)
        assert isinstance(request, Request)
        streams = client.api.emulator.streams
        assert streams is not None
        with streams.taking(DISPATCHER) as records:
            reply = Client(client.api, request.token, dict(request.headers)).call(
                request.method, request.path, request.body, raw=request.raw, content_type=request.content_type
            )
            follow_ups_done(client)
        assert reply.status < 300, reply.body
        assert records, f"{route.route} owed no follow-up"
        ctx.values["records"] = list(records)
        return ctx

    return arrange


def follow_ups_of(name: str) -> None:
    """A scenario of the dispatcher delivering what the named route's change owes (Lambda's stream
    mapping delivers the same batch again after a failure)."""
    route = next(s for s in SCENARIOS if s.name == name)
    scenario(
        f"follow-ups-of-{name}",
        DISPATCHER,
        _owing(route),
        lambda c: Invocation(DISPATCHER, {"Records": c.values["records"]}),
        client="lambda",
        settings=route.settings,
        holds_clock=route.holds_clock,
    )


# Together, every kind of follow-up but the large audit export's (an invocation, as the purge's):
# emails, an email change's code, workflows started and their waiting tasks withdrawn or resumed,
# a user, a group and sessions forgotten, a purge started, a new confirmation code.
for route_name in (
    "change-email",
    "confirm-password-change",
    "accept-invitation",
    "invite-user",
    "resend-invitation",
    "delete-user",
    "delete-group",
    "delete-account",
    "resend-code",
):
    follow_ups_of(route_name)

# The scenarios of the passkey and folder routes live in their own module, registered here.
from tests.faults import passkey_folder_scenarios  # noqa: E402, F401
