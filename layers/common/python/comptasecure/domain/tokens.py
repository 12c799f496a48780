"""Access tokens (short-lived HS256 JWTs) and refresh tokens (opaque, revocable, rotated on use)."""

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from comptasecure import clock
from comptasecure.errors import InvalidRefreshToken, InvalidToken, TokenExpired
from comptasecure.secrets import accepted_keys, signing_key
from comptasecure.settings import settings

ISSUER = "comptasecure"
AUDIENCE = "comptasecure-web"
ALGORITHM = "HS256"


@dataclass(frozen=True)
class AccessClaims:
    account_id: str
    user_id: str
    session_id: str
    role: str


@dataclass(frozen=True)
class RefreshToken:
    account_id: str
    user_id: str
    session_id: str
    secret: str

    def __str__(self) -> str:
        return f"{self.account_id}.{self.user_id}.{self.session_id}.{self.secret}"

    @property
    def secret_hash(self) -> str:
        # The secret is 256 random bits: a plain SHA-256 cannot be reversed by guessing.
        return hashlib.sha256(self.secret.encode()).hexdigest()

    @classmethod
    def new(cls, account_id: str, user_id: str, session_id: str) -> "RefreshToken":
        return cls(account_id, user_id, session_id, secrets.token_urlsafe(32))

    @classmethod
    def parse(cls, value: str) -> "RefreshToken":
        parts = value.split(".")
        if len(parts) != 4 or not all(parts):
            raise InvalidRefreshToken()
        return cls(*parts)


def issue_access(claims: AccessClaims) -> str:
    moment = clock.now()
    payload: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": claims.user_id,
        "acc": claims.account_id,
        "sid": claims.session_id,
        "role": claims.role,
        "iat": clock.epoch(moment),
        "exp": clock.epoch(moment) + settings().access_token_seconds,
    }
    import jwt  # on first use: PyJWT loads cryptography, which most routes never need

    return jwt.encode(payload, signing_key(), algorithm=ALGORITHM)


def verify_access(token: str) -> AccessClaims:
    """Signature, algorithm (no ``none``), issuer, audience and expiry, or 401: `token_expired` only for a
    token of ours past its expiry (PyJWT checks the signature first), `invalid_token` for any other."""
    import jwt

    try:
        payload = decode(token, AUDIENCE, ["exp", "iat", "sub", "acc", "sid", "role"])
    except jwt.ExpiredSignatureError as error:
        raise TokenExpired() from error
    except jwt.PyJWTError as error:
        raise InvalidToken() from error
    return AccessClaims(payload["acc"], payload["sub"], payload["sid"], payload["role"])


def decode(token: str, audience: str, required: list[str]) -> dict[str, Any]:
    """The claims of a token signed with one of the accepted keys (the signing secret rotates), its
    algorithm, issuer, audience and expiry checked; PyJWT's error otherwise."""
    import jwt

    keys = accepted_keys()
    for key in keys[:-1]:
        try:
            return _decode(token, key, audience, required)
        except jwt.InvalidSignatureError:
            continue  # signed with another of the keys, or with none
    return _decode(token, keys[-1], audience, required)


def _decode(token: str, key: bytes, audience: str, required: list[str]) -> dict[str, Any]:
    import jwt

    claims: dict[str, Any] = jwt.decode(
        token, key, algorithms=[ALGORITHM], audience=audience, issuer=ISSUER, options={"require": required}
    )
    return claims
