"""Passkeys (API.md "Account security" and "Public routes"): their WebAuthn ceremonies and the user's list."""

from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from comptasecure.models import Request
from comptasecure.validation import Password, SingleLine

PasskeyName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    SingleLine,
    Field(description="What the user calls it (one line); by default, the device it was created on."),
]
# The browser's PublicKeyCredential as JSON (`credential.toJSON()`): checked by py_webauthn, not here.
CredentialJson = Annotated[
    dict[str, Any],
    Field(
        description="The browser's `PublicKeyCredential` as JSON (`credential.toJSON()`, or its fields with "
        "every buffer in base64url): `id`, `rawId`, `type`, `response`."
    ),
]
ChallengeId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$"),
    Field(description="`challenge_id` of POST /auth/passkey/options (valid 5 minutes, used once)."),
]


class CreationOptions(BaseModel):
    options: dict[str, Any] = Field(
        description="`PublicKeyCredentialCreationOptions` in JSON form (py_webauthn's `options_to_json`): give "
        "it to `PublicKeyCredential.parseCreationOptionsFromJSON`, then `navigator.credentials.create`."
    )


class PasskeyCreate(Request):
    credential: CredentialJson
    name: PasskeyName | None = None


class PasskeyView(BaseModel):
    id: str
    name: str
    created_at: str
    last_used_at: str | None


class PasskeyPage(BaseModel):
    items: list[PasskeyView]
    next_cursor: str | None


class PasskeyRemoval(Request):
    current_password: Password


class RequestOptions(BaseModel):
    challenge_id: str = Field(description="Send it back with the credential to POST /auth/passkey.")
    options: dict[str, Any] = Field(
        description="`PublicKeyCredentialRequestOptions` in JSON form (py_webauthn's `options_to_json`), without "
        "`allowCredentials`: give it to `PublicKeyCredential.parseRequestOptionsFromJSON`, then "
        "`navigator.credentials.get`."
    )


class PasskeyLogin(Request):
    challenge_id: ChallengeId
    credential: CredentialJson
