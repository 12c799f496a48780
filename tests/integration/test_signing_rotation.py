"""The token-signing secret rotates (issue 21, item 6): Secrets Manager runs RotateSigningSecretFunction's
four steps, and enrolled TOTP, live sessions, codes already sent and new logins all still work."""

import base64
import hashlib
import hmac
import json
import secrets
from typing import Any

import boto3
import pytest

from comptasecure.domain import sealed
from comptasecure.settings import settings
from comptasecure.store import keys
from local import iam
from local.emulator import Emulator, function_arn
from tests.helpers import Client, code_in, login, owner_of_new_account, signup, wait_for_email
from tests.security_helpers import enroll, next_code


def rotate(emulator: Emulator) -> dict[str, str]:
    """One rotation, as the RotationSchedule has Secrets Manager run it; the secret's keys after it."""
    client = boto3.client("secretsmanager")
    secret = emulator.values["SigningSecret"]
    client.rotate_secret(SecretId=secret, RotationLambdaARN=function_arn("RotateSigningSecretFunction"))
    value: dict[str, str] = json.loads(client.get_secret_value(SecretId=secret)["SecretString"])
    return value


@pytest.fixture
def signing_secret_restored(emulator: Emulator) -> Any:
    """The secret's value before the test, put back after it (other tests' tokens were signed with it)."""
    client = boto3.client("secretsmanager")
    before = client.get_secret_value(SecretId=emulator.values["SigningSecret"])["SecretString"]
    yield
    client.put_secret_value(SecretId=emulator.values["SigningSecret"], SecretString=before)
    iam.expire_caches()


def test_after_two_rotations_sessions_totp_codes_and_logins_work(
    client: Client, emulator: Emulator, table: Any, signing_secret_restored: None
) -> None:
    original = boto3.client("secretsmanager").get_secret_value(SecretId=emulator.values["SigningSecret"])
    owner = owner_of_new_account(client)
    member = owner_of_new_account(client)
    secret, recovery_codes = enroll(client, owner)
    session = login(client, member.email)  # a live session: access and refresh tokens
    email, _ = signup(client)
    code = code_in(wait_for_email(email))  # its hash keyed with the key of the moment

    first = rotate(emulator)
    # The first rotation only announces the next key: the plain value CloudFormation generated signs on.
    assert first["current"] == original["SecretString"] and "previous" not in first
    iam.expire_caches("LoginFunction", "RefreshFunction", "MfaLoginFunction", "AuthorizerFunction")
    second = rotate(emulator)
    assert (second["current"], second["previous"]) == (first["next"], original["SecretString"])

    # A container whose cache still holds the value before the second rotation accepts what a fresh one
    # signs: the key it signs with was announced as "next".
    iam.expire_caches("LoginFunction")
    fresh = login(client, member.email)
    assert client.get("/me", token=fresh["access_token"]).status == 200

    iam.expire_caches()  # every container has read the new value
    # Tokens signed before the rotations: still valid until they expire.
    assert client.get("/me", token=session["access_token"]).status == 200
    assert client.get("/me", token=member.token).status == 200
    refreshed = client.post("/auth/refresh", {"refresh_token": session["refresh_token"]})
    assert refreshed.status == 200, refreshed.body
    # The enrolled authenticator and its recovery codes: sealed under KMS, not under the signing secret.
    challenge = login(client, owner.email)
    assert client.post("/auth/mfa", {"mfa_token": challenge["mfa_token"], "code": next_code(secret)}).status == 200
    challenge = login(client, owner.email)
    assert client.post("/auth/mfa", {"mfa_token": challenge["mfa_token"], "code": recovery_codes[0]}).status == 200
    # New logins sign with the new key.
    new = login(client, member.email)
    assert client.get("/me", token=new["access_token"]).status == 200
    # A code sent before the rotations confirms the signup after them.
    assert client.post("/auth/confirm", {"email": email, "code": code}).status == 200


def test_a_totp_secret_sealed_before_kms_still_opens_after_a_rotation(
    client: Client, emulator: Emulator, table: Any, signing_secret_restored: None
) -> None:
    """TOTP secrets sealed under the signing secret (v1) open while that key is among the accepted ones."""
    owner = owner_of_new_account(client)
    secret, _ = enroll(client, owner)
    signing = boto3.client("secretsmanager").get_secret_value(SecretId=emulator.values["SigningSecret"])
    legacy = _sealed_as_v1(secret, f"totp:{owner.account_id}:{owner.user_id}", signing["SecretString"].encode())
    user_key = keys.key(keys.account_pk(owner.account_id), keys.user_sk(owner.user_id))
    table.update_item(Key=user_key, UpdateExpression="SET totp_secret = :s", ExpressionAttributeValues={":s": legacy})

    rotate(emulator)
    rotate(emulator)
    iam.expire_caches()

    challenge = login(client, owner.email)
    assert client.post("/auth/mfa", {"mfa_token": challenge["mfa_token"], "code": next_code(secret)}).status == 200
    assert str(table.get_item(Key=user_key)["Item"]["totp_secret"]).startswith("v1:")


def test_a_totp_secret_is_sealed_under_the_stack_key_for_its_owner_only(client: Client, table: Any) -> None:
    owner = owner_of_new_account(client)
    enroll(client, owner)
    user_key = keys.key(keys.account_pk(owner.account_id), keys.user_sk(owner.user_id))
    stored = str(table.get_item(Key=user_key)["Item"]["totp_secret"])
    assert stored.startswith("v2:")
    with pytest.raises(sealed.SealError):
        sealed.unseal(stored, f"totp:{owner.account_id}:someone-else")
    assert settings().secrets_key_id.startswith("arn:aws:kms:")


def _sealed_as_v1(plaintext: str, owner: str, signing_key: bytes) -> str:
    """What the layer wrote before KMS: AES-GCM under a key derived from the signing secret."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key = hmac.new(signing_key, b"comptasecure/sealed-secrets/v1", hashlib.sha256).digest()
    nonce = secrets.token_bytes(12)
    return "v1:" + base64.b64encode(nonce + AESGCM(key).encrypt(nonce, plaintext.encode(), owner.encode())).decode()
