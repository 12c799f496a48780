"""The signing secret, from Secrets Manager through Powertools Parameters (cached per container).

The secret rotates (its RotationSchedule runs functions/jobs/rotate_signing_secret.py). Its value holds
the key that signs now, the one that signed before, and the one that will sign after the next rotation:
``{"current": …, "previous": …, "next": …}`` (a plain string, the value CloudFormation generated, is the
current key alone). What is signed or keyed with it is checked against all three, so a token signed
before a rotation stays valid until it expires, and a container whose 5-minute cache still holds the
value before a rotation accepts what a fresher container signs: the key it signs with was "next" before.
"""

import json
from dataclasses import dataclass
from functools import lru_cache

from aws_lambda_powertools.utilities import parameters

from comptasecure.settings import settings

SECRET_MAX_AGE_SECONDS = 300


@dataclass(frozen=True)
class SigningKeys:
    current: bytes
    accepted: tuple[bytes, ...]  # the current key first


@lru_cache(maxsize=4)
def parse(value: str) -> SigningKeys:
    """The keys a value of the secret holds."""
    try:
        keys = json.loads(value)
    except ValueError:
        keys = None
    if not isinstance(keys, dict):
        return SigningKeys(value.encode(), (value.encode(),))
    current = str(keys["current"]).encode()
    others = tuple(str(keys[name]).encode() for name in ("next", "previous") if keys.get(name))
    return SigningKeys(current, (current, *others))


def signing_keys() -> SigningKeys:
    value = parameters.get_secret(settings().jwt_secret_name, max_age=SECRET_MAX_AGE_SECONDS)
    return parse(value if isinstance(value, str) else bytes(value).decode())


def signing_key() -> bytes:
    """The key that signs and keys what is written now."""
    return signing_keys().current


def accepted_keys() -> tuple[bytes, ...]:
    """The keys what was signed or keyed may have been made with, the current one first."""
    return signing_keys().accepted
