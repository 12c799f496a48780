"""Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), with the standard library only.

Authenticator apps use SHA-1, 6 digits and 30-second steps: the defaults here. The digest and the
number of digits are parameters so RFC 6238's own test vectors (8 digits, SHA-1/256/512) apply.
"""

import base64
import hmac
import secrets
from collections.abc import Callable
from hashlib import sha1
from typing import Any
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
SECRET_BYTES = 20  # 160 bits, the HMAC-SHA-1 block RFC 4226 recommends
# Steps accepted on either side of the current one: a code typed as the step changes, or a phone
# clock a few seconds off, still works (RFC 6238 section 5.2 allows one step of delay).
DRIFT_STEPS = 1

Digest = Callable[..., Any]


def new_secret() -> str:
    """A fresh shared secret, base32 without padding, as authenticator apps read it."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode().rstrip("=")


def secret_bytes(secret: str) -> bytes:
    compact = secret.replace(" ", "").upper()
    return base64.b32decode(compact + "=" * (-len(compact) % 8))


def step_at(epoch_seconds: float) -> int:
    return int(epoch_seconds // STEP_SECONDS)


def hotp(key: bytes, counter: int, *, digits: int = DIGITS, digest: Digest = sha1) -> str:
    """RFC 4226: HMAC of the counter, dynamically truncated to ``digits`` decimal digits."""
    mac = hmac.new(key, counter.to_bytes(8, "big"), digest).digest()
    offset = mac[-1] & 0x0F
    number = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{number % 10**digits:0{digits}d}"


def code_at(secret: str, epoch_seconds: float) -> str:
    """The code an authenticator app shows for this secret at this time."""
    return hotp(secret_bytes(secret), step_at(epoch_seconds))


def is_code(code: str) -> bool:
    """Whether this is shaped as a code: DIGITS ASCII digits (str.isdigit alone takes any Unicode digit)."""
    return len(code) == DIGITS and code.isascii() and code.isdigit()


def matching_step(secret: str, code: str, epoch_seconds: float) -> int | None:
    """The time step whose code this is, within the allowed drift, or None.

    Every candidate is compared in constant time, so the answer's timing says nothing of the code.
    """
    if not is_code(code):
        return None  # compare_digest refuses non-ASCII text, and no such text is a code
    key, current = secret_bytes(secret), step_at(epoch_seconds)
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(hotp(key, step), code):
            found = step
    return found


def otpauth_uri(secret: str, account_name: str, issuer: str) -> str:
    """The ``otpauth://totp/…`` URI authenticator apps scan as a QR code (Key Uri Format)."""
    label = quote(f"{issuer}:{account_name}", safe="@:")
    query = urlencode(
        {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS, "period": STEP_SECONDS}
    )
    return f"otpauth://totp/{label}?{query}"
