"""Rotation of the token-signing secret: Secrets Manager's four steps, run by its RotationSchedule.

Each rotation promotes the key announced as "next" to "current" (keeping the one it replaces as
"previous") and announces a new "next" (comptasecure/secrets.py says why keys are announced one
rotation ahead). The secret's first value, one plain string, is the current key: its first rotation
only announces a "next". No other system holds the key, so ``setSecret`` has nothing to do.
"""

import json
import secrets
from functools import cache
from typing import Any

import boto3

KEY_CHARACTERS = 64
CURRENT, PENDING = "AWSCURRENT", "AWSPENDING"


@cache
def _client() -> Any:
    return boto3.client("secretsmanager")


def rotated(value: str) -> str:
    """The secret's next value: the announced key signs, the replaced one is still accepted, a new one
    is announced."""
    try:
        keys = json.loads(value)
    except ValueError:
        keys = None
    if not isinstance(keys, dict):
        keys = {"current": value}
    announced = keys.get("next")
    following = {
        "current": announced or keys["current"],
        "previous": keys["current"] if announced else keys.get("previous"),
        "next": secrets.token_urlsafe(KEY_CHARACTERS)[:KEY_CHARACTERS],
    }
    return json.dumps({name: key for name, key in following.items() if key})


def rotate(step: str, secret_id: str, token: str) -> None:
    """One step of a rotation (Secrets Manager calls each of them, and may call one again)."""
    stages = _client().describe_secret(SecretId=secret_id)["VersionIdsToStages"]
    if token not in stages:
        raise ValueError(f"version {token} is not one of the secret's")
    if CURRENT in stages[token]:
        return  # this rotation already ended
    if step == "createSecret":
        _create(secret_id, token)
    elif step == "testSecret":
        pending = json.loads(_client().get_secret_value(SecretId=secret_id, VersionId=token)["SecretString"])
        if not (pending.get("current") and pending.get("next")):
            raise ValueError("the pending value holds no current and next key")
    elif step == "finishSecret":
        [current] = [version for version, names in stages.items() if CURRENT in names]
        _client().update_secret_version_stage(
            SecretId=secret_id, VersionStage=CURRENT, MoveToVersionId=token, RemoveFromVersionId=current
        )
    elif step != "setSecret":
        raise ValueError(f"unknown rotation step {step}")


def _create(secret_id: str, token: str) -> None:
    client = _client()
    try:
        client.get_secret_value(SecretId=secret_id, VersionId=token, VersionStage=PENDING)
        return  # created by an earlier call of this step
    except client.exceptions.ResourceNotFoundException:
        pass
    current = client.get_secret_value(SecretId=secret_id, VersionStage=CURRENT)["SecretString"]
    client.put_secret_value(
        SecretId=secret_id, ClientRequestToken=token, SecretString=rotated(current), VersionStages=[PENDING]
    )
