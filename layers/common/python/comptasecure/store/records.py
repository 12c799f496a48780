"""The aggregates as the store hands them to the domain: one typed record per item kind.

DynamoDB gives back plain dicts (numbers as Decimal, string sets as set); these TypedDicts name the
attributes each kind of item has, so the domain reads ``user["role"]`` with a type, not an Any.
Attributes that only some items carry are ``NotRequired``: their absence is meaningful (DynamoDB
stores no empty value). The key design itself is in store/keys.py.
"""

from decimal import Decimal
from typing import NotRequired, TypedDict


class Account(TypedDict):
    """``ACCOUNT#<aid>`` / ``META``."""

    id: str
    name: str
    type_id: str
    owner_id: str
    user_count: int | Decimal
    created_at: str
    group_count: NotRequired[int | Decimal]
    """Groups created, counted on the account item so the type's group limit holds in one condition."""
    require_mfa: NotRequired[bool]
    stripe_customer_id: NotRequired[str]
    billing_address: NotRequired[dict[str, str]]


class User(TypedDict):
    """``ACCOUNT#<aid>`` / ``USER#<uid>``; its email is claimed by ``EMAIL#<email>`` / ``EMAIL``."""

    id: str
    account_id: str
    email: str
    role: str
    status: str
    first_name: NotRequired[str | None]
    last_name: NotRequired[str | None]
    company_name: NotRequired[str | None]
    phone: NotRequired[str | None]
    siren: NotRequired[str | None]
    job_title: NotRequired[str | None]
    company_size: NotRequired[str | None]
    created_at: NotRequired[str]
    group_ids: NotRequired[set[str]]
    """The groups the user belongs to (both sides of a membership change in one transaction)."""
    password_hash: NotRequired[str]
    pending_password_hash: NotRequired[str]
    pending_email: NotRequired[str]
    invited_by: NotRequired[str]
    invited_by_name: NotRequired[str]
    invitation_expires_at: NotRequired[str]
    email_delivery: NotRequired[str]
    email_delivery_at: NotRequired[str]
    send_failed_at: NotRequired[str]
    """The identity workflow could not send its last invitation or code (set by its RecordSendFailure)."""
    mfa_enabled: NotRequired[bool]
    totp_secret: NotRequired[str]
    totp_pending_secret: NotRequired[str]
    totp_last_step: NotRequired[int | Decimal]
    recovery_code_hashes: NotRequired[set[str]]
    mfa_token_floor: NotRequired[int | Decimal]
    """The issue time (ns) of the last ``mfa_token`` that opened a session: older ones are spent."""
    passkey_count: NotRequired[int | Decimal]
    source: NotRequired[str]
    """membership.Source (absent: ``invitation``)."""
    disabled_from: NotRequired[str]
    """While ``disabled``: the status enabling restores (``active``, or ``invited`` for an invitation not
    accepted yet)."""
    """The user's passkeys, counted in the transactions that add and remove them (absent: none)."""
    session_epoch: NotRequired[int | Decimal]
    """Moves on when every session of the user must end (password or email changed, MFA turned on or
    off, sessions revoked): a session opened under an older epoch is refused."""


class Group(TypedDict):
    """``ACCOUNT#<aid>`` / ``GROUP#<gid>``; its name is claimed by ``GROUPNAME#<casefolded name>``."""

    id: str
    account_id: str
    name: str
    member_ids: NotRequired[list[str]]
    """Absent when the group has no member (DynamoDB stores no empty set)."""
    member_count: NotRequired[int | Decimal]
    created_at: NotRequired[str]
    version: NotRequired[int]
    """Moved by every change of the group, so a change prepared from an older read is refused."""


class FecFile(TypedDict):
    """``ACCOUNT#<aid>`` / ``FEC#<fid>``: a FEC file imported into the account."""

    id: str
    account_id: str
    file_name: str
    folder: str | None
    imported_by: str
    imported_by_email: str | None
    imported_at: str
    naming_warning: NotRequired[str | None]
    s3_key: str


class Session(TypedDict):
    """``ACCOUNT#<aid>`` / ``SESSION#<uid>#<sid>``: one refresh token's session."""

    user_id: str
    session_id: str
    refresh_hash: str
    created_at: str
    last_used_at: NotRequired[str]
    user_agent: NotRequired[str | None]
    ip: NotRequired[str | None]
    ttl: NotRequired[int | Decimal]
    epoch: NotRequired[int | Decimal]
    """The user's ``session_epoch`` when the session opened (absent: 0)."""
    mfa: NotRequired[bool]
    """The login passed a second factor (TOTP or a recovery code at login, or enrollment), so the
    session survives the account starting to require MFA."""


class Passkey(TypedDict):
    """``ACCOUNT#<aid>`` / ``PASSKEY#<uid>#<pid>``: a passkey as its user lists it."""

    id: str
    """The SHA-256 of the WebAuthn credential id, in hex."""
    user_id: str
    name: str
    credential_id: str
    """The WebAuthn credential id (base64url): what a new registration excludes."""
    created_at: str
    last_used_at: NotRequired[str]


class Credential(TypedDict):
    """``CREDENTIAL#<pid>`` / ``CREDENTIAL``: what a passkey login checks, found before the account is known."""

    account_id: str
    user_id: str
    public_key: str
    """The credential's public key as the authenticator gave it (COSE), base64url."""
    sign_count: int | Decimal
    """The authenticator's signature counter as last accepted (0 for one that keeps none)."""


class Challenge(TypedDict):
    """``WEBAUTHN_CHALLENGE#<challenge>`` / ``WEBAUTHN_CHALLENGE``: one ceremony's challenge, spent once."""

    purpose: str
    """``registration`` or ``authentication``: a challenge serves no other ceremony."""
    expires_at: str
    account_id: NotRequired[str]
    user_id: NotRequired[str]
    """A registration's user: no one else may register a passkey with it."""


class Folder(TypedDict):
    """``ACCOUNT#<aid>`` / ``FOLDER#<folder key>``: a folder, as long as a file of the account names it."""

    folder: str
    fec_count: int | Decimal
    user_ids: NotRequired[list[str]]
    """The users it is shared with (absent when none): they see each of its files, those added later too."""
    share_version: NotRequired[int | Decimal]
    """Moved by every share: a file registered meanwhile reads the folder again."""
