"""Typed configuration, read from the environment once per container and validated at its cold start.

The shared settings (every function has them, most with a default) are checked for every function.
A few settings only some functions are given (the workflow, the bucket, a worker to invoke, a Stripe
secret): each function declares the ones it needs when it is imported (`lambda_handler(...,
requires=...)` for a route, `require(...)` at the top of any other function), so a function deployed
without one fails its cold start naming the variable, not its first request.
"""

from functools import cache
from typing import Literal

from pydantic import BaseModel, Field, PositiveInt

from comptasecure import init_done

# The settings only some functions are given: empty in the others' environment.
FunctionSetting = Literal[
    "state_machine_arn",
    "fec_bucket",
    "stripe_api_key_secret_name",
    "stripe_webhook_secret_name",
    "audit_export_function",
    "account_purge_function",
    "dead_letter_queues",
    "secrets_key_id",
]


class Settings(BaseModel):
    table_name: str
    state_machine_arn: str = ""
    jwt_secret_name: str
    account_types_parameter: str = "/comptasecure/account-types"
    email_sender: str = "no-reply@comptasecure.fr"
    email_configuration_set: str
    app_base_url: str = "https://app.comptasecure.fr"
    code_validity_seconds: PositiveInt = 7200
    invitation_validity_seconds: PositiveInt = 7200
    access_token_seconds: PositiveInt = 900
    refresh_token_seconds: PositiveInt = 30 * 24 * 3600
    code_max_attempts: PositiveInt = 5
    code_resend_interval_seconds: int = Field(default=30, ge=0)
    audit_retention_days: PositiveInt = Field(default=5 * 366)
    fec_bucket: str = ""
    upload_url_seconds: PositiveInt = 900
    credit_types_parameter: str = "/comptasecure/credit-types"
    stripe_api_key_secret_name: str = ""
    stripe_webhook_secret_name: str = ""
    # Empty in AWS (api.stripe.com); the local run and the tests point it at localstripe.
    stripe_api_base: str = ""
    stripe_event_retention_days: PositiveInt = 30
    # Audit export: what the route may answer itself (the HTTP API allows 6 MB and 29 s), beyond
    # which the export worker (its function name, its timeout) writes the CSV to the bucket.
    audit_export_sync_bytes: PositiveInt = 5_000_000
    audit_export_sync_seconds: PositiveInt = 15
    audit_export_function: str = ""
    audit_export_worker_seconds: PositiveInt = 900
    audit_export_retention_days: PositiveInt = 7
    audit_export_link_seconds: PositiveInt = 900
    account_purge_function: str = ""
    # The URLs of the dead-letter queues the replay reads, comma-separated.
    dead_letter_queues: str = ""
    # The KMS key (ARN) under which secrets kept in the table are sealed (domain/sealed.py).
    secrets_key_id: str = ""


class MissingSetting(RuntimeError):
    """A function was deployed without a setting it declared it needs."""


@cache
def settings() -> Settings:
    """The validated configuration; a missing or malformed shared variable raises, naming it."""
    import os

    env = {key.lower(): value for key, value in os.environ.items()}
    return Settings.model_validate(env)


def check(*needed: FunctionSetting) -> None:
    """The shared settings valid, and each of the settings this function needs that only some
    functions are given present (or MissingSetting naming every one that is not)."""
    config = settings()
    missing = [name.upper() for name in needed if not getattr(config, name)]
    if missing:
        raise MissingSetting(f"this function needs {', '.join(missing)} in its environment")


def require(*needed: FunctionSetting) -> None:
    """The last line of a function's init (one without an HTTP route): its settings checked, its
    init over (comptasecure.init_done)."""
    check(*needed)
    init_done()
