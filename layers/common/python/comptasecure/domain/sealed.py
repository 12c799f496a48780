"""Secrets kept at rest (a user's TOTP secret): AES-256-GCM under a key derived from the signing secret.

The key never leaves the Secrets Manager value; a leaked table alone reveals nothing. Each sealed
value is bound to its owner (the associated data), so a ciphertext copied onto another user does
not open.
"""

import base64
import hashlib
import hmac
import secrets

from comptasecure.secrets import signing_key

VERSION = "v1"
NONCE_BYTES = 12
# Domain separation: this key is for sealing stored secrets only, never for signing.
KEY_LABEL = b"comptasecure/sealed-secrets/v1"


class SealError(ValueError):
    """A sealed value that does not open (tampered, another owner's, or another key's)."""


def _key() -> bytes:
    return hmac.new(signing_key(), KEY_LABEL, hashlib.sha256).digest()


def seal(plaintext: str, owner: str) -> str:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # on first use: only MFA routes seal

    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(_key()).encrypt(nonce, plaintext.encode(), owner.encode())
    return f"{VERSION}:{base64.b64encode(nonce + sealed).decode()}"


def unseal(value: str, owner: str) -> str:
    version, _, payload = value.partition(":")
    if version != VERSION:
        raise SealError("unknown sealed value version")
    raw = base64.b64decode(payload)
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return AESGCM(_key()).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], owner.encode()).decode()
    except InvalidTag as error:
        raise SealError("sealed value does not open") from error
