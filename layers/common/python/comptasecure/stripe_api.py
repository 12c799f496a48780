"""Stripe for the billing functions only: one client per container, its key from Secrets Manager.

Importing stripe costs hundreds of milliseconds at cold start: only billing domain modules import
this module, and stripe itself is imported on first use.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING

from aws_lambda_powertools.utilities import parameters

from comptasecure.errors import BadGateway, NotFound
from comptasecure.observability import logger
from comptasecure.settings import settings

if TYPE_CHECKING:
    import stripe

SECRET_MAX_AGE_SECONDS = 300
NETWORK_RETRIES = 2


@cache
def client() -> "stripe.StripeClient":
    import stripe

    api_key = parameters.get_secret(settings().stripe_api_key_secret_name, max_age=SECRET_MAX_AGE_SECONDS)
    base = settings().stripe_api_base
    return stripe.StripeClient(
        str(api_key),
        base_addresses={"api": base} if base else None,
        max_network_retries=NETWORK_RETRIES,
    )


def webhook_secret() -> str:
    return str(parameters.get_secret(settings().stripe_webhook_secret_name, max_age=SECRET_MAX_AGE_SECONDS))


@contextmanager
def calls(*, not_found: NotFound | None = None) -> Iterator[None]:
    """Stripe's errors as ours: a 404 from Stripe is ``not_found`` when given, anything else a 502."""
    import stripe

    try:
        yield
    except stripe.StripeError as error:
        if not_found is not None and error.http_status == 404:
            raise not_found from error
        logger.warning("Stripe call failed", extra={"stripe_error": str(error), "status": error.http_status})
        raise BadGateway() from error
