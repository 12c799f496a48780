"""Passkeys (SPEC R-MFA-5): WebAuthn credentials a user registers, then logs in with, without a password.

The ceremonies are py_webauthn's (the field's reference library; imported on first use, never at a
function's init). The relying party is the front end's host (``AppBaseUrl``): its origin alone is
accepted, except for ``localhost``, where any ``http://localhost:<port>`` is (a developer's dev server,
as browsers themselves treat it). Registration asks for a discoverable credential (resident key) and
user verification, excluding the user's own passkeys; login asks for no credential in particular
(``allowCredentials`` left out: the authenticator offers its passkeys for this relying party).

Each challenge is single use, lives five minutes and serves one purpose (a registration's, for its
user only, or a login's): it is spent by a conditional delete in the transaction that uses it. The
signature counter is checked as WebAuthn §6.1.1 and §7.2 step 21 say: a counter not above the one
stored refuses the login (a cloned authenticator), unless both are 0 (an authenticator that keeps no
counter, whose replays the single-use challenge stops); the new value is stored by a conditional write.
A passkey login is phishing-resistant and verifies the user, so it counts as MFA (the session is
opened with ``mfa``) and satisfies an account that requires MFA.
"""

import base64
import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

from comptasecure import clock
from comptasecure.domain import audit_log, identity, notices, reauthentication
from comptasecure.domain.user_sessions import Device
from comptasecure.errors import (
    InvalidPasskey,
    PasskeyLimitReached,
    PasskeyNotFound,
    PasskeyRefused,
    UserNotFound,
)
from comptasecure.idempotency import replayable
from comptasecure.settings import settings
from comptasecure.store import passkeys as passkey_store
from comptasecure.store import users as user_store
from comptasecure.store.records import Challenge, Credential, Passkey
from comptasecure.store.transaction import Transaction

RP_NAME = "ComptaSecure"
REGISTRATION: Final = "registration"
AUTHENTICATION: Final = "authentication"
CHALLENGE_SECONDS = 5 * 60
CHALLENGE_BYTES = 32
MAX_PASSKEYS = 20
DEFAULT_NAME = "Clé d'accès"
# Any port of the loopback name: browsers give localhost the same relying party whatever the port.
LOCAL_ORIGIN = re.compile(r"^http://localhost(:\d{1,5})?$")


@dataclass(frozen=True)
class RelyingParty:
    id: str
    origin: str
    """``AppBaseUrl``'s origin: the only one accepted, but for ``localhost``."""

    def accepts(self, origin: str) -> bool:
        if self.id == "localhost":
            return LOCAL_ORIGIN.match(origin) is not None
        return origin == self.origin


def relying_party() -> RelyingParty:
    """The front end's host and origin, from ``AppBaseUrl``."""
    url = urlsplit(settings().app_base_url)
    return RelyingParty(str(url.hostname), f"{url.scheme}://{url.netloc}")


@dataclass(frozen=True)
class PasskeyView:
    id: str
    name: str
    created_at: str
    last_used_at: str | None


@dataclass(frozen=True)
class LoginOptions:
    challenge_id: str
    options: dict[str, Any]


def view_of(passkey: Passkey) -> PasskeyView:
    return PasskeyView(passkey["id"], passkey["name"], passkey["created_at"], passkey.get("last_used_at"))


def passkey_id_of(credential_id: bytes) -> str:
    """A passkey's id: the SHA-256 of its credential id, in hex (fixed length, safe in a key and a path)."""
    return hashlib.sha256(credential_id).hexdigest()


# ---------------------------------------------------------------- registration
@replayable
def registration_options(account_id: str, user_id: str) -> dict[str, Any]:
    """``PublicKeyCredentialCreationOptions`` (JSON) for a new passkey of this user: a discoverable
    credential with user verification, the user's passkeys excluded; its challenge stored for 5 minutes."""
    from webauthn import generate_registration_options, options_to_json
    from webauthn.helpers import base64url_to_bytes
    from webauthn.helpers.structs import (
        AuthenticatorSelectionCriteria,
        PublicKeyCredentialDescriptor,
        ResidentKeyRequirement,
        UserVerificationRequirement,
    )

    user = user_store.get(account_id, user_id)
    existing = passkey_store.all_of(account_id, user_id)
    challenge = secrets.token_bytes(CHALLENGE_BYTES)
    name = " ".join(part for part in (user.get("first_name"), user.get("last_name")) if part)
    options = generate_registration_options(
        rp_id=relying_party().id,
        rp_name=RP_NAME,
        # The user handle: our user id (random, no personal data), which a login's assertion gives back.
        user_id=user_id.encode(),
        user_name=user["email"],
        user_display_name=name or user["email"],
        challenge=challenge,
        timeout=CHALLENGE_SECONDS * 1000,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            require_resident_key=True,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(passkey["credential_id"])) for passkey in existing
        ],
    )
    as_json: dict[str, Any] = json.loads(options_to_json(options))
    tx = Transaction()
    _store_challenge(tx, challenge, REGISTRATION, account_id=account_id, user_id=user_id)
    tx.commit(answer=as_json)
    return as_json


@replayable
def register(
    account_id: str, actor: audit_log.Actor, credential: dict[str, Any], name: str | None, device: Device
) -> PasskeyView:
    """Verify the authenticator's new credential against this user's registration challenge and keep it.

    One transaction: the challenge spent, the credential (refused if registered already), the user's
    view of it and count, the audit event and the notice to the user (R-MFA-6).
    """
    from webauthn import verify_registration_response
    from webauthn.helpers import parse_client_data_json, parse_registration_credential_json
    from webauthn.helpers.exceptions import WebAuthnException

    try:
        parsed = parse_registration_credential_json(credential)
        client_data = parse_client_data_json(parsed.response.client_data_json)
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise InvalidPasskey() from error
    challenge_id = _b64url(client_data.challenge)
    user, challenge = passkey_store.registration_view(account_id, actor.id, challenge_id)
    if user is None:
        raise UserNotFound()
    now = clock.iso(clock.now())
    if not _usable(challenge, REGISTRATION, now) or challenge.get("user_id") != actor.id:  # type: ignore[union-attr]
        raise InvalidPasskey()
    rp = relying_party()
    try:
        verified = verify_registration_response(
            credential=parsed,
            expected_challenge=client_data.challenge,
            expected_rp_id=rp.id,
            expected_origin=_expected_origin(rp, client_data.origin),
            require_user_verification=True,
        )
    except WebAuthnException as error:
        raise InvalidPasskey() from error
    passkey: Passkey = {
        "id": passkey_id_of(verified.credential_id),
        "user_id": actor.id,
        "name": name or device.description or DEFAULT_NAME,
        "credential_id": _b64url(verified.credential_id),
        "created_at": now,
    }
    stored: Credential = {
        "account_id": account_id,
        "user_id": actor.id,
        "public_key": _b64url(verified.credential_public_key),
        "sign_count": verified.sign_count,
    }
    tx = Transaction()
    passkey_store.spend_challenge(tx, challenge_id, REGISTRATION, now, user_id=actor.id, on_spent=InvalidPasskey())
    passkey_store.add(
        tx,
        account_id,
        passkey,
        stored,
        MAX_PASSKEYS,
        on_taken=InvalidPasskey(),
        on_limit=PasskeyLimitReached(limit=MAX_PASSKEYS),
    )
    audit_log.record(
        tx,
        account_id,
        actor,
        "user.passkey_added",
        target_type="passkey",
        target_id=passkey["id"],
        details={"name": passkey["name"], "aaguid": verified.aaguid},
    )
    notices.security_changed(tx, account_id, user, notices.PASSKEY_ADDED, device, detail=passkey["name"])
    view = view_of(passkey)
    tx.commit(answer=view)
    return view


def page(
    account_id: str, user_id: str, limit: int, start_key: dict[str, Any] | None
) -> tuple[list[PasskeyView], dict[str, Any] | None]:
    items, last_key = passkey_store.page(account_id, user_id, limit, start_key)
    return [view_of(item) for item in items], last_key


def remove(account_id: str, actor: audit_log.Actor, passkey_id: str, current_password: str, device: Device) -> None:
    """Remove one of the caller's passkeys, with the password (counted as DELETE /me/mfa counts it)."""
    user, passkey = passkey_store.with_user(account_id, actor.id, passkey_id)
    if user is None:
        raise UserNotFound()
    if passkey is None:
        raise PasskeyNotFound()
    reauthentication.check_password(account_id, user, current_password)
    tx = Transaction()
    # The right password clears the attempts counted on the way, as turning MFA off does.
    passkey_store.remove(
        tx,
        account_id,
        actor.id,
        passkey_id,
        on_missing=PasskeyNotFound(),
        user_changes="REMOVE password_attempts, password_attempts_until",
    )
    audit_log.record(
        tx,
        account_id,
        actor,
        "user.passkey_removed",
        target_type="passkey",
        target_id=passkey_id,
        details={"name": passkey["name"]},
    )
    notices.security_changed(tx, account_id, user, notices.PASSKEY_REMOVED, device, detail=passkey["name"])
    tx.commit()


# ---------------------------------------------------------------- login
def login_options() -> LoginOptions:
    """``PublicKeyCredentialRequestOptions`` (JSON) for a discoverable login, and its challenge's id."""
    from webauthn import options_to_json
    from webauthn.helpers.structs import PublicKeyCredentialRequestOptions, UserVerificationRequirement

    challenge = secrets.token_bytes(CHALLENGE_BYTES)
    # Built directly so that no `allowCredentials` is written at all: any passkey of this relying party.
    options = PublicKeyCredentialRequestOptions(
        challenge=challenge,
        timeout=CHALLENGE_SECONDS * 1000,
        rp_id=relying_party().id,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    tx = Transaction()
    challenge_id = _store_challenge(tx, challenge, AUTHENTICATION)
    tx.commit()
    return LoginOptions(challenge_id, json.loads(options_to_json(options)))


def login(challenge_id: str, credential: dict[str, Any], device: Device) -> identity.Session:
    """A passkey login: the assertion checked against the stored public key, the challenge spent, the
    counter moved, then a session opened as after a second factor.

    Every failure before the user is known answers the same 401; then a user not active is refused as
    a password login refuses it (403 ``not_confirmed``, ``user_disabled``).
    """
    from webauthn import verify_authentication_response
    from webauthn.helpers import parse_authentication_credential_json, parse_client_data_json
    from webauthn.helpers.exceptions import WebAuthnException

    try:
        parsed = parse_authentication_credential_json(credential)
        client_data = parse_client_data_json(parsed.response.client_data_json)
        expected_challenge = _from_b64url(challenge_id)
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise PasskeyRefused() from error
    passkey_id = passkey_id_of(parsed.raw_id)
    challenge, stored = passkey_store.login_view(challenge_id, passkey_id)
    now = clock.iso(clock.now())
    if stored is None or not _usable(challenge, AUTHENTICATION, now):
        raise PasskeyRefused()
    user_handle = parsed.response.user_handle
    if user_handle is not None and user_handle != stored["user_id"].encode():
        raise PasskeyRefused()  # WebAuthn §7.2 step 6: the credential is not this user's
    rp = relying_party()
    try:
        verified = verify_authentication_response(
            credential=parsed,
            expected_challenge=expected_challenge,
            expected_rp_id=rp.id,
            expected_origin=_expected_origin(rp, client_data.origin),
            credential_public_key=_from_b64url(stored["public_key"]),
            credential_current_sign_count=int(stored["sign_count"]),
            require_user_verification=True,
        )
    except WebAuthnException as error:
        raise PasskeyRefused() from error
    user = user_store.find(stored["account_id"], stored["user_id"])
    if user is None:
        raise PasskeyRefused()
    identity.check_may_log_in(user)
    tx = Transaction()
    passkey_store.spend_challenge(tx, challenge_id, AUTHENTICATION, now, on_spent=PasskeyRefused())
    passkey_store.record_use(
        tx, user["account_id"], user["id"], passkey_id, verified.new_sign_count, now, on_changed=PasskeyRefused()
    )
    tx.commit()
    return identity.open_session(user, device, mfa=True)


# ---------------------------------------------------------------- challenges
def _store_challenge(
    tx: Transaction, challenge: bytes, purpose: str, *, account_id: str | None = None, user_id: str | None = None
) -> str:
    challenge_id = _b64url(challenge)
    record: Challenge = {"purpose": purpose, "expires_at": clock.iso(clock.later(CHALLENGE_SECONDS))}
    if account_id is not None and user_id is not None:
        record["account_id"], record["user_id"] = account_id, user_id
    passkey_store.put_challenge(tx, challenge_id, record, clock.epoch(clock.later(CHALLENGE_SECONDS)))
    return challenge_id


def _usable(challenge: Challenge | None, purpose: str, now: str) -> bool:
    return challenge is not None and challenge["purpose"] == purpose and challenge["expires_at"] > now


def _expected_origin(rp: RelyingParty, presented: str) -> str:
    """The origin the ceremony must come from: the one presented when the relying party accepts it, else
    its own (so that py_webauthn refuses the presented one)."""
    return presented if rp.accepts(presented) else rp.origin


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _from_b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
