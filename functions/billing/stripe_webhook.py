from comptasecure.domain import stripe_events
from comptasecure.http import api_router, lambda_handler
from comptasecure.models.stripe_webhook import WebhookAck

router = api_router()


@router.post("/webhooks/stripe")
def stripe_webhook() -> WebhookAck:
    """Receive a Stripe event (Stripe only).

    Stripe authenticates with the `Stripe-Signature` header (checked first, 5-minute tolerance). Each event
    is applied once, and skipped when older than what was applied to the same object; a paid analysis
    purchase grants its credits and moves a Freemium account to Premium.
    """
    request = router.current_event
    signature = request.headers.get("stripe-signature")
    outcome = stripe_events.receive(request.decoded_body or "", signature, router.lambda_context)
    return WebhookAck(outcome=outcome)


handler = lambda_handler(router, public=True, requires=("stripe_webhook_secret_name",))
