"""localstripe as the local run corrects it (local/stripe.py): what Stripe does that localstripe 1.15 did not."""

import uuid

import pytest
import stripe

from local.server import LocalApi
from tests.billing_helpers import stripe_client


def test_a_post_sent_again_with_its_idempotency_key_gets_the_first_answer(api: LocalApi) -> None:
    """Our retried creation of a customer (its key derived from the account) finds the first customer."""
    key = f"comptasecure-customer-{uuid.uuid4().hex}"
    params = {"metadata": {"account_id": key}}
    first = stripe_client().v1.customers.create(params=params, options={"idempotency_key": key})  # type: ignore[arg-type]
    again = stripe_client().v1.customers.create(params=params, options={"idempotency_key": key})  # type: ignore[arg-type]
    other = stripe_client().v1.customers.create(params=params)  # type: ignore[arg-type]
    assert again.id == first.id
    assert other.id != first.id
    assert again.last_response is not None and again.last_response.headers.get("Idempotent-Replayed") == "true"


def test_the_same_key_with_other_parameters_is_refused(api: LocalApi) -> None:
    key = uuid.uuid4().hex
    stripe_client().v1.customers.create(params={"name": "Cabinet Dupont"}, options={"idempotency_key": key})
    with pytest.raises(stripe.IdempotencyError):
        stripe_client().v1.customers.create(params={"name": "Cabinet Durand"}, options={"idempotency_key": key})
