"""Six-digit one-time codes: CSPRNG, stored as an HMAC, single use, limited attempts, expiring."""

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from hashlib import sha256
from typing import Any

from comptasecure import clock
from comptasecure.errors import InvalidInput, TooManyAttempts
from comptasecure.secrets import signing_key
from comptasecure.settings import settings
from comptasecure.store import codes as code_store
from comptasecure.store.transaction import Transaction

CONFIRMATION = "confirmation"
PASSWORD_CHANGE = "password_change"
EMAIL_CHANGE = "email_change"


@dataclass(frozen=True)
class IssuedCode:
    code: str
    expires_at: str


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def code_hash(account_id: str, user_id: str, purpose: str, code: str) -> str:
    """Keyed hash: a leaked table does not let anyone test the million codes offline."""
    message = f"{account_id}:{user_id}:{purpose}:{code}".encode()
    return hmac.new(signing_key(), message, sha256).hexdigest()


def issue(
    account_id: str,
    user_id: str,
    purpose: str,
    *,
    task_token: str | None = None,
    execution_arn: str | None = None,
) -> IssuedCode:
    """Store a fresh code (the previous one dies) and return it in clear, for the email only."""
    code = new_code()
    expires_at = clock.iso(clock.later(settings().code_validity_seconds))
    fields: dict[str, str | int] = {
        "code_hash": code_hash(account_id, user_id, purpose, code),
        "issued_at": clock.iso(clock.now()),
        "expires_at": expires_at,
        "ttl": clock.epoch(clock.parse(expires_at)) + 24 * 3600,
    }
    if task_token:
        fields["task_token"] = task_token
    if execution_arn:
        fields["execution_arn"] = execution_arn
    code_store.replace(account_id, user_id, purpose, fields)
    return IssuedCode(code, expires_at)


def redeem(tx: Transaction, account_id: str, user_id: str, purpose: str, code: str) -> str | None:
    """Check a presented code and add its single use to the caller's transaction.

    Returns the workflow task token waiting for this code, if any. A wrong code costs one of
    the limited attempts; past the limit only a new code helps (429).
    """
    stored = code_store.get(account_id, user_id, purpose)
    if stored is None:
        raise InvalidInput("Ce code n'est pas valide.", field="code", code="invalid_code")
    max_attempts = settings().code_max_attempts
    if int(stored.get("attempts", 0)) >= max_attempts:
        raise TooManyAttempts()
    now = clock.iso(clock.now())
    if stored["expires_at"] <= now:
        raise InvalidInput(
            "Ce code a expiré. Demandez un nouveau code de validation.", field="code", code="expired_code"
        )
    presented = code_hash(account_id, user_id, purpose, code.strip())
    if not hmac.compare_digest(presented, stored["code_hash"]):
        code_store.count_failed_attempt(account_id, user_id, purpose, stored["code_hash"], max_attempts)
        raise InvalidInput("Ce code n'est pas valide.", field="code", code="invalid_code")
    code_store.consume(tx, account_id, user_id, purpose, stored["code_hash"], max_attempts, now)
    token = stored.get("task_token")
    return str(token) if token else None


def recently_issued(stored: dict[str, Any] | None) -> bool:
    """True while a new code would only flood the user's inbox (a resend right after a send)."""
    interval = settings().code_resend_interval_seconds
    if stored is None or not interval or "issued_at" not in stored:
        return False
    if str(stored["expires_at"]) <= clock.iso(clock.now()):
        return False  # an expired code never stands in the way of a new one
    return bool(clock.parse(str(stored["issued_at"])) > clock.now() - timedelta(seconds=interval))
