"""A software WebAuthn authenticator for the suite: what a browser and a platform authenticator hand the
front end, built for real (ES256 keys from `cryptography`, CBOR from cbor2, the byte layouts of WebAuthn
Level 3 §6.1 and §6.5), so the back end's py_webauthn checks genuine attestations and assertions.

It keeps discoverable credentials (resident keys) per relying party, as a phone or a laptop does, and
can be told to misbehave the ways an attacker or a broken device would: another origin, another relying
party's id hash, a counter that goes backwards, no user verification.
"""

import base64
import hashlib
import json
import secrets
import struct
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

ORIGIN = "http://localhost:5173"  # the front end's dev server: the local run's relying party is localhost
# Authenticator data flags (WebAuthn §6.1): user present, user verified, backup eligible/state, attested data.
UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40
AAGUID = bytes.fromhex("c0ffee00c0ffee00c0ffee00c0ffee00")


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def from_b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Credential:
    """One discoverable credential the authenticator holds."""

    id: bytes
    key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: bytes
    counter: int = 0


@dataclass
class Authenticator:
    """``counts``: whether it keeps a signature counter (many passkey providers keep none: always 0)."""

    counts: bool = True
    credentials: dict[bytes, Credential] = field(default_factory=dict)

    # ------------------------------------------------------------ navigator.credentials.create
    def create(
        self,
        options: dict[str, Any],
        *,
        origin: str = ORIGIN,
        rp_id: str | None = None,
        attestation: str = "none",
        verified: bool = True,
    ) -> dict[str, Any]:
        """The RegistrationResponseJSON a browser gives for these creation options (``rp_id``: sign for
        another relying party than the options name)."""
        excluded = {from_b64url(descriptor["id"]) for descriptor in options.get("excludeCredentials", [])}
        if excluded & set(self.credentials):
            raise InvalidStateError("this authenticator already holds a credential the options exclude")
        credential = Credential(
            secrets.token_bytes(32),
            ec.generate_private_key(ec.SECP256R1()),
            options["rp"]["id"],
            from_b64url(options["user"]["id"]),
        )
        self.credentials[credential.id] = credential
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        public = credential.key.public_key().public_numbers()
        cose_key = cbor2.dumps({1: 2, 3: -7, -1: 1, -2: public.x.to_bytes(32, "big"), -3: public.y.to_bytes(32, "big")})
        attested = AAGUID + struct.pack(">H", len(credential.id)) + credential.id + cose_key
        auth_data = self._auth_data(rp_id or credential.rp_id, verified, credential.counter, AT) + attested
        statement: dict[str, Any] = {}
        if attestation == "packed":  # self attestation: signed by the credential's own key
            statement = {"alg": -7, "sig": self._sign(credential, auth_data, client_data)}
        attestation_object = cbor2.dumps({"fmt": attestation, "attStmt": statement, "authData": auth_data})
        return {
            "id": b64url(credential.id),
            "rawId": b64url(credential.id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation_object),
                "transports": ["internal", "hybrid"],
            },
            "clientExtensionResults": {"credProps": {"rk": True}},
            "authenticatorAttachment": "platform",
        }

    # ------------------------------------------------------------ navigator.credentials.get
    def get(
        self,
        options: dict[str, Any],
        *,
        origin: str = ORIGIN,
        rp_id: str | None = None,
        counter: int | None = None,
        verified: bool = True,
        credential_id: bytes | None = None,
    ) -> dict[str, Any]:
        """The AuthenticationResponseJSON for these request options, with the (first, or named) credential
        of their relying party; ``counter`` forces the signature counter it reports."""
        credential = self._credential_for(options["rpId"], credential_id)
        if counter is not None:
            credential.counter = counter
        elif self.counts:
            credential.counter += 1
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        auth_data = self._auth_data(rp_id or credential.rp_id, verified, credential.counter, 0)
        return {
            "id": b64url(credential.id),
            "rawId": b64url(credential.id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(self._sign(credential, auth_data, client_data)),
                "userHandle": b64url(credential.user_handle),
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    def _credential_for(self, rp_id: str, credential_id: bytes | None) -> Credential:
        if credential_id is not None:
            return self.credentials[credential_id]
        return next(c for c in self.credentials.values() if c.rp_id == rp_id)

    @staticmethod
    def _client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}).encode()

    def _auth_data(self, rp_id: str, verified: bool, counter: int, extra_flags: int) -> bytes:
        flags = UP | (UV if verified else 0) | BE | BS | extra_flags
        return hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + struct.pack(">I", counter)

    @staticmethod
    def _sign(credential: Credential, auth_data: bytes, client_data: bytes) -> bytes:
        return credential.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))


class InvalidStateError(Exception):
    """What the browser raises when the authenticator holds an excluded credential (WebAuthn §6.3.2)."""
