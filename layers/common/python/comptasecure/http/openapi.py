"""What the OpenAPI document says that the handlers' types and docstrings cannot.

scripts/openapi.py builds each operation from its handler: the summary and description from the
handler's docstring (its first line, then the rest), who may call it from its role check, its tag
from its area (`functions/<area>/`), its operation id from the function's name, the success status
and media type from its `Response(...)`, and the errors every route of its shape answers: 401 with its
WWW-Authenticate challenge (not public), 403 (a role check), 400/415/422 (a JSON body, whose examples
are what the body's model answers to a misspelled, missing, mistyped or too long field), 422 for a
bad cursor or a path id of the wrong shape. Each error is a kind of the catalogue
(comptasecure.errors), shown with its code, its French message and, as the answer's description,
what it means.

What no code shape reveals is listed per route in ROUTES: its own domain errors (404 of its path id,
409 `email_taken`, 410, 429…), the bodies a handler reads raw (CSV, Stripe events) and the headers it
reads itself. tests/unit/test_error_catalogue.py fails when a route's code can raise a kind that its
entry here does not list.
"""

from dataclasses import dataclass, field
from typing import Any

from comptasecure import errors
from comptasecure.domain import folders, groups, passkeys, passwords, user_import, user_rows, users
from comptasecure.errors import DomainError

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every 4xx and 5xx answer. `message` is a French sentence for a person; `code` is stable.",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "description": "stable, snake_case"},
                "message": {"type": "string", "description": "in French, for the person using the front end"},
                "field": {"type": "string", "description": "the offending field, when there is one"},
            },
        }
    },
}

BEARER_SCHEME: dict[str, Any] = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "JWT",
    "description": "The `access_token` of POST /auth/login, /auth/mfa or /auth/refresh, valid 15 minutes. "
    "A 401 says why it was refused in its `code` and, as RFC 6750 has it, in `WWW-Authenticate`: "
    "`token_expired` (renew it with POST /auth/refresh), `session_ended` (log in again), `invalid_token`, "
    "or `unauthorized` when none was sent.",
}

WWW_AUTHENTICATE: dict[str, Any] = {
    "description": 'RFC 6750: `Bearer` when no token was sent, `Bearer error="invalid_token"` (with an '
    "`error_description`) when the token was refused.",
    "required": True,
    "schema": {"type": "string"},
}


@dataclass(frozen=True)
class Tag:
    name: str
    description: str


# One tag per area of functions/, in the product's order; a new area needs its entry here.
TAGS: dict[str, Tag] = {
    "auth": Tag(
        "Authentication",
        "Signup and its emailed code, login (with MFA when it is on), token refresh and logout. "
        "Public routes: no token.",
    ),
    "account": Tag("Account", "The account: its name and type, the account types, ownership, deletion."),
    "profile": Tag("Profile", "The caller's own profile and password (R-PRO)."),
    "security": Tag(
        "Account security",
        "The caller's sessions, second factor (TOTP) and email change (R-MFA); every change is emailed to the user.",
    ),
    "passkeys": Tag(
        "Passkeys",
        "The caller's passkeys (WebAuthn, R-MFA-5): register, list, remove (each change emailed); and login "
        "with a passkey instead of a password and code (public routes: no token).",
    ),
    "cabinet": Tag(
        "Firm and CRM",
        "The accounting firm's information, and the CRM of each analysis that it pre-fills (R-CAB).",
    ),
    "billing": Tag(
        "Billing",
        "The billing centre on Stripe: address, payment methods, credits, invoices; and Stripe's webhook (R-BIL).",
    ),
    "users": Tag(
        "Users and invitations",
        "The account's users: invitations (one by one, in batches or from a CSV), roles, groups, removal; "
        "accepting an invitation (R-USR).",
    ),
    "groups": Tag(
        "Groups",
        "Named sets of users to share FEC files with at once; sharing reaches the members of the moment (R-GRP).",
    ),
    "fecs": Tag(
        "FEC files",
        "FEC files: registering an upload, the files the caller may open, sharing them and their folders.",
    ),
    "audit": Tag("Audit trail", "Every change to the account, who made it and what changed; CSV export."),
}

# Who may call, by the roles a handler's role check names (no check: every user of the account).
ROLES = {"owner": "the owner", "admin": "admins", "member": "members"}


@dataclass(frozen=True)
class Body:
    media: str
    schema: dict[str, Any]
    description: str = ""
    example: Any = None


@dataclass(frozen=True)
class Header:
    name: str
    description: str
    required: bool = True


CSV = {"type": "string", "description": "UTF-8 (with or without BOM) or Windows-1252, `;` or `,` separated"}


@dataclass(frozen=True)
class Notes:
    """What a route answers beyond what its code shape shows."""

    errors: tuple[DomainError, ...] = ()
    # Errors its 207 answer reports row by row (a batch's rows succeed or fail on their own).
    rows: tuple[DomainError, ...] = ()
    # A body the handler reads raw (so the resolver knows no model for it).
    request: Body | None = None
    # Header parameters the handler reads itself.
    headers: tuple[Header, ...] = ()
    # A second success answer, by status.
    also: dict[int, Body] = field(default_factory=dict)


# Shape errors every route of a shape answers (see scripts/openapi.py).
UNAUTHENTICATED = (errors.Unauthorized(), errors.InvalidToken(), errors.TokenExpired(), errors.SessionEnded())
JSON_BODY = (errors.InvalidJson(), errors.NotUtf8(), errors.InvalidBody(), errors.UnsupportedMediaType())
# Every POST whose retries are keyed (API.md "Retries"): its header, and how a keyed retry is refused.
IDEMPOTENCY_KEY = Header(
    "Idempotency-Key",
    "Optional. 1 to 255 printable ASCII characters (a UUID is a good choice), to retry this request safely: "
    "for 24 hours, the same key from the same caller with the same request gets the first answer again, "
    "marked `Idempotent-Replayed: true`, and nothing happens twice.",
    required=False,
)
IDEMPOTENT = (errors.InvalidIdempotencyKey(), errors.IdempotencyKeyReused(), errors.RequestInProgress())


# Errors raised with the domain's limits, shown with them.
def _weak_password(field: str) -> tuple[DomainError, ...]:
    return (
        errors.PasswordTooShort(field=field, minimum=passwords.MIN_LENGTH),
        errors.PasswordTooLong(field=field, maximum=passwords.MAX_LENGTH),
        errors.CommonPassword(field=field),
        errors.PasswordLikeEmail(field=field),
    )


CSV_LIMITS = (
    errors.FileTooLarge(megabytes=user_import.MAX_BYTES // 1_000_000),
    errors.TooManyRows(rows=user_rows.MAX_ROWS),
    errors.UnreadableCsv(line=3),
)
TOO_MANY_MEMBERS = errors.TooManyMembers(limit=groups.MAX_MEMBERS_CHANGED)
TOO_MANY_GROUPS = errors.TooManyGroups(limit=users.MAX_GROUPS_CHANGED)
# Why an invitation row (POST /users, the CSV import) was not invited.
INVITATION_ROWS = (
    errors.QuotaExceeded(),
    errors.EmailTaken(),
    errors.InvalidEmail(),
    errors.DuplicateEmail(),
    errors.InvalidRole(),
    errors.RoleNotAllowed(),
    errors.NameTooLong(field="first_name"),
    errors.NameWithControlCharacter(field="last_name"),
    errors.UnknownGroups(),
    TOO_MANY_GROUPS,
    errors.InvitationGroupChanged(),
)
PAYMENT_PROVIDER = errors.BadGateway()
ACCOUNT_GONE = errors.AccountNotFound()
USER_GONE = errors.UserNotFound()

ROUTES: dict[str, Notes] = {
    "POST /auth/signup": Notes(
        (errors.EmailTaken(), *_weak_password("password"), errors.AccountExists(), errors.CatalogueIncomplete())
    ),
    "POST /auth/confirm": Notes((errors.InvalidCode(), errors.ExpiredCode(), errors.TooManyAttempts(), USER_GONE)),
    "POST /auth/login": Notes(
        (errors.InvalidCredentials(), errors.NotConfirmed(), errors.UserDisabled(), errors.LoginLocked())
    ),
    "POST /auth/refresh": Notes((errors.InvalidRefreshToken(),)),
    "POST /auth/mfa": Notes((errors.InvalidMfaToken(), errors.InvalidCode(), errors.TooManyMfaAttempts(), USER_GONE)),
    "POST /auth/mfa/enroll": Notes((errors.InvalidMfaToken(), errors.MfaAlreadyEnabled(), USER_GONE)),
    "POST /auth/mfa/enroll/confirm": Notes(
        (
            errors.InvalidMfaToken(),
            errors.InvalidCode(),
            errors.MfaEnrollmentNotStarted(),
            errors.MfaAlreadyEnabled(),
            errors.TooManyMfaAttempts(),
            USER_GONE,
        )
    ),
    "POST /auth/passkey": Notes((errors.PasskeyRefused(), errors.NotConfirmed(), errors.UserDisabled())),
    # No body is read: only a body of another media type than JSON is refused.
    "POST /auth/passkey/options": Notes((errors.UnsupportedMediaType(),)),
    "POST /me/passkeys/options": Notes((USER_GONE,)),
    "POST /me/passkeys": Notes(
        (errors.InvalidPasskey(), errors.PasskeyLimitReached(limit=passkeys.MAX_PASSKEYS), USER_GONE)
    ),
    "DELETE /me/passkeys/{passkey_id}": Notes(
        (errors.PasskeyNotFound(), errors.WrongCurrentPassword(), errors.TooManyPasswordAttempts(), USER_GONE)
    ),
    "POST /invitations/accept": Notes(
        (errors.InvitationExpired(), errors.InvalidInvitation(), *_weak_password("password"))
    ),
    "POST /webhooks/stripe": Notes(
        (errors.InvalidSignature(), errors.InvalidEvent(), errors.EventInProgress(), errors.AccountTypeBusy()),
        request=Body("application/json", {"type": "object"}, "A Stripe event, exactly as Stripe sends it."),
        headers=(
            Header(
                "Stripe-Signature",
                "Stripe's signature of the body (`t=…,v1=…`), checked against the endpoint's signing secret.",
            ),
        ),
    ),
    "GET /account": Notes((ACCOUNT_GONE,)),
    "GET /account-types": Notes((ACCOUNT_GONE,)),
    "PATCH /account": Notes((ACCOUNT_GONE,)),
    "DELETE /account": Notes((errors.AccountNotEmpty(), errors.AccountBusy(), ACCOUNT_GONE, USER_GONE)),
    "POST /account/transfer-ownership": Notes(
        (
            errors.UserNotFound(field="user_id"),
            errors.NotAnActiveAdmin(),
            errors.AlreadyOwner(),
            errors.NotOwner(),
            ACCOUNT_GONE,
        )
    ),
    "POST /me/sessions/revoke-others": Notes((errors.SessionsChanged(),)),
    "GET /me": Notes((USER_GONE,)),
    "PATCH /me": Notes((USER_GONE,)),
    "DELETE /me": Notes((errors.OwnerCannotLeave(), errors.AloneOnAccount(), errors.GroupChanged(), USER_GONE)),
    "POST /me/password": Notes(
        (
            errors.WrongCurrentPassword(),
            errors.PasswordMismatch(),
            errors.SamePassword(),
            *_weak_password("new_password"),
            errors.TooManyPasswordAttempts(),
            USER_GONE,
        )
    ),
    "POST /me/password/confirm": Notes(
        (errors.InvalidCode(), errors.ExpiredCode(), errors.TooManyAttempts(), USER_GONE)
    ),
    "GET /analyses/{analysis_id}/crm": Notes((errors.AnalysisNotFound(),)),
    "PATCH /analyses/{analysis_id}/crm": Notes((errors.AnalysisNotFound(), errors.CabinetChanged())),
    "GET /billing/address": Notes((ACCOUNT_GONE,)),
    "PUT /billing/address": Notes((errors.InvalidVatNumber(), PAYMENT_PROVIDER, ACCOUNT_GONE)),
    "GET /billing/payment-methods": Notes((PAYMENT_PROVIDER, ACCOUNT_GONE)),
    "POST /billing/payment-methods": Notes((PAYMENT_PROVIDER, ACCOUNT_GONE)),
    "DELETE /billing/payment-methods/{method_id}": Notes(
        (errors.PaymentMethodNotFound(), PAYMENT_PROVIDER, ACCOUNT_GONE)
    ),
    "POST /billing/payment-methods/{method_id}/default": Notes(
        (errors.PaymentMethodNotFound(), PAYMENT_PROVIDER, ACCOUNT_GONE)
    ),
    "GET /billing/invoices": Notes((PAYMENT_PROVIDER,)),
    "GET /users": Notes((ACCOUNT_GONE,)),
    "POST /users": Notes((ACCOUNT_GONE, USER_GONE), rows=INVITATION_ROWS),
    "POST /users/import": Notes(
        (*CSV_LIMITS, errors.MissingColumn(), ACCOUNT_GONE, USER_GONE),
        rows=INVITATION_ROWS,
        request=Body("text/csv", CSV, "The filled-in template of GET /users/import-template."),
    ),
    "PATCH /users/{id}": Notes(
        (
            errors.UserNotFound(),
            errors.OwnerOutOfReach(),
            errors.OwnerRoleFixed(),
            errors.RoleNotAllowed(),
            errors.InvalidRole(),
            errors.NameTooLong(field="first_name"),
            errors.NameWithControlCharacter(field="last_name"),
            errors.ChangedMeanwhile(),
            errors.GroupChanged(),
            errors.UnknownGroups(),
            TOO_MANY_GROUPS,
            errors.OwnerCannotBeDisabled(),
        )
    ),
    "POST /users/{id}/sessions/revoke": Notes(
        (errors.UserNotFound(), errors.OwnerOutOfReach(), errors.ChangedMeanwhile())
    ),
    "DELETE /users/{id}": Notes(
        (
            errors.UserNotFound(),
            errors.OwnerOutOfReach(),
            errors.OwnerCannotLeave(),
            errors.AloneOnAccount(),
            errors.GroupChanged(),
        )
    ),
    "POST /users/{id}/resend-invitation": Notes(
        (errors.UserNotFound(), errors.OwnerOutOfReach(), errors.InvitationAlreadyAccepted(), ACCOUNT_GONE)
    ),
    "POST /users/{id}/promote": Notes(
        (errors.UserNotFound(), errors.OwnerOutOfReach(), errors.OwnerRoleFixed(), errors.ChangedMeanwhile())
    ),
    "POST /groups": Notes(
        (
            errors.GroupNameTaken(),
            errors.GroupQuotaReached(),
            errors.UnknownUsers(field="member_ids"),
            errors.UserNotFound(field="member_ids"),
            TOO_MANY_MEMBERS,
            ACCOUNT_GONE,
        )
    ),
    "GET /groups/{group_id}": Notes((errors.GroupNotFound(),)),
    "PATCH /groups/{group_id}": Notes(
        (
            errors.GroupNotFound(),
            errors.GroupNameTaken(),
            errors.GroupChanged(),
            errors.UnknownUsers(field="member_ids"),
            errors.UserNotFound(field="member_ids"),
            TOO_MANY_MEMBERS,
        )
    ),
    "DELETE /groups/{group_id}": Notes((errors.GroupNotFound(), errors.GroupChanged())),
    "POST /groups/{group_id}/reshare": Notes(
        (errors.GroupNotFound(), errors.NotAGroupMember(), errors.FolderNotFound(), errors.FolderChanged())
    ),
    "POST /fecs/{fec_id}/shares": Notes(
        (
            errors.FecNotFound(),
            errors.NotAllowedToShare(),
            errors.UnknownUsers(),
            errors.UnknownGroups(),
        )
    ),
    "POST /fecs": Notes((errors.FolderChanged(),)),
    "POST /fecs/folder-shares": Notes(
        (
            errors.FolderNotFound(),
            errors.UnknownUsers(),
            errors.UnknownGroups(),
            errors.TooManyGroups(limit=folders.MAX_GROUPS),
            errors.FolderChanged(),
        )
    ),
    "GET /audit": Notes((errors.InvalidRange(),)),
    "GET /audit/exports/{export_id}": Notes((errors.ExportNotFound(),)),
    "POST /me/mfa/totp": Notes((errors.MfaAlreadyEnabled(), USER_GONE)),
    "POST /me/mfa/totp/confirm": Notes(
        (
            errors.MfaEnrollmentNotStarted(),
            errors.InvalidCode(),
            errors.MfaAlreadyEnabled(),
            errors.TooManyMfaAttempts(),
            USER_GONE,
        )
    ),
    "DELETE /me/mfa": Notes(
        (
            errors.MfaNotEnabled(),
            errors.MfaRequiredByAccount(),
            errors.WrongCurrentPassword(),
            errors.InvalidCode(),
            errors.TooManyPasswordAttempts(),
            errors.TooManyMfaAttempts(),
            USER_GONE,
            ACCOUNT_GONE,
        )
    ),
    "DELETE /me/sessions/{session_id}": Notes((errors.SessionNotFound(),)),
    "POST /me/email": Notes(
        (
            errors.EmailTaken(field="new_email"),
            errors.SameEmail(),
            errors.WrongCurrentPassword(),
            errors.TooManyPasswordAttempts(),
            USER_GONE,
        )
    ),
    "POST /me/email/confirm": Notes(
        (
            errors.InvalidCode(),
            errors.ExpiredCode(),
            errors.EmailTaken(field="new_email"),
            errors.TooManyAttempts(),
            USER_GONE,
        )
    ),
    "GET /audit/export": Notes(
        (errors.InvalidRange(),),
        also={
            202: Body(
                "application/json",
                {
                    "type": "object",
                    "required": ["export_id"],
                    "properties": {
                        "export_id": {"type": "string", "description": "For GET /audit/exports/{export_id}."}
                    },
                },
                "Too large to answer at once: the export is written in the background; follow it with "
                "GET /audit/exports/{export_id}.",
                example={"export_id": "7e4a2c9b1d3f4a6c8e0b2d4f6a8c0e1f"},
            )
        },
    ),
}
