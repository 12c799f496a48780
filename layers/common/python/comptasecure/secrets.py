"""The signing secret, from Secrets Manager through Powertools Parameters (cached per container)."""

from aws_lambda_powertools.utilities import parameters

from comptasecure.settings import settings

SECRET_MAX_AGE_SECONDS = 300


def signing_key() -> bytes:
    value = parameters.get_secret(settings().jwt_secret_name, max_age=SECRET_MAX_AGE_SECONDS)
    return value.encode() if isinstance(value, str) else bytes(value)
