from comptasecure.domain import stripe_events
from comptasecure.http import api_router, lambda_handler
from comptasecure.models.stripe_webhook import WebhookAck

router = api_router()


@router.post("/webhooks/stripe")
def stripe_webhook() -> WebhookAck:
    """Public: Stripe authenticates with the Stripe-Signature header, checked before anything else."""
    request = router.current_event
    signature = request.headers.get("stripe-signature")
    outcome = stripe_events.receive(request.decoded_body or "", signature, router.lambda_context)
    return WebhookAck(outcome=outcome)


handler = lambda_handler(router, public=True, requires=("stripe_webhook_secret_name",))
