"""Secrets kept at rest (a user's TOTP secret; the SSO client secrets to come): envelope encryption.

Each value is sealed with AES-256-GCM under a data key of its own, which KMS generates under the
stack's key (``SecretsKey``) and keeps only encrypted beside the value: a leaked table alone reveals
nothing, and opening a value is one KMS Decrypt, which IAM grants to the functions that need it. The
value is bound to its owner twice: the data key's encryption context and the ciphertext's associated
data, so a value copied onto another user does not open. Nothing depends on the token-signing secret,
which is free to rotate.

Values sealed before (``v1``: one key derived from the signing secret) still open while that secret's
value is among the accepted keys; each is sealed again under KMS when its owner enrolls again.
"""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import cache
from typing import Any

import boto3

from comptasecure.secrets import accepted_keys
from comptasecure.settings import settings

VERSION = "v2"
LEGACY_VERSION = "v1"
NONCE_BYTES = 12
# v1's domain separation: its key was for sealing stored secrets only, never for signing.
LEGACY_KEY_LABEL = b"comptasecure/sealed-secrets/v1"
# The data key encrypts; what it keys (recovery code hashes) uses a key derived from it.
MAC_KEY_LABEL = b"comptasecure/sealed-secrets/v2/mac"


class SealError(ValueError):
    """A sealed value that does not open (tampered, another owner's, or another key's)."""


@dataclass(frozen=True)
class Opened:
    plaintext: str
    # The key of what belongs with the value (a user's recovery codes are hashed with it): derived from
    # the value's data key; for a v1 value, the signing key it was sealed under, as then.
    mac_key: bytes


@cache
def _kms() -> Any:
    return boto3.client("kms")


def seal(plaintext: str, owner: str) -> str:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # on first use: only MFA routes seal

    data_key = _kms().generate_data_key(
        KeyId=settings().secrets_key_id, KeySpec="AES_256", EncryptionContext={"owner": owner}
    )
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(data_key["Plaintext"]).encrypt(nonce, plaintext.encode(), owner.encode())
    encrypted_key = data_key["CiphertextBlob"]
    payload = len(encrypted_key).to_bytes(2, "big") + encrypted_key + nonce + sealed
    return f"{VERSION}:{base64.b64encode(payload).decode()}"


def open_sealed(value: str, owner: str) -> Opened:
    """The plaintext and the data key of a sealed value, or SealError."""
    version, _, encoded = value.partition(":")
    raw = base64.b64decode(encoded)
    if version == LEGACY_VERSION:
        return _open_legacy(raw, owner)
    if version != VERSION:
        raise SealError("unknown sealed value version")
    length = int.from_bytes(raw[:2], "big")
    encrypted_key, rest = raw[2 : 2 + length], raw[2 + length :]
    try:
        data_key = _kms().decrypt(
            CiphertextBlob=encrypted_key, KeyId=settings().secrets_key_id, EncryptionContext={"owner": owner}
        )["Plaintext"]
    except _kms().exceptions.InvalidCiphertextException as error:
        raise SealError("sealed value does not open") from error
    return Opened(_decrypt(data_key, rest, owner), hmac.new(data_key, MAC_KEY_LABEL, hashlib.sha256).digest())


def unseal(value: str, owner: str) -> str:
    return open_sealed(value, owner).plaintext


def _open_legacy(raw: bytes, owner: str) -> Opened:
    for signing_key in accepted_keys():
        key = hmac.new(signing_key, LEGACY_KEY_LABEL, hashlib.sha256).digest()
        try:
            return Opened(_decrypt(key, raw, owner), signing_key)
        except SealError:
            continue
    raise SealError("sealed value does not open")


def _decrypt(key: bytes, raw: bytes, owner: str) -> str:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], owner.encode()).decode()
    except InvalidTag as error:
        raise SealError("sealed value does not open") from error
