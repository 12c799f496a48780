from aws_lambda_powertools.event_handler import Response, content_types

from comptasecure.domain import audit_log, billing
from comptasecure.http import Role, api_router, current_caller, lambda_handler
from comptasecure.models.payment_methods import NewPaymentMethod, SetupIntentView

router = api_router()


@router.post("/billing/payment-methods")
def add_payment_method(body: NewPaymentMethod) -> Response[SetupIntentView]:
    """Start adding a payment method.

    Creates a Stripe SetupIntent: confirm its `client_secret` with Stripe.js in the page; the card or IBAN
    never reaches this API. The method is listed once Stripe attached it.
    """
    caller = current_caller(router)
    caller.require(Role.OWNER, Role.ADMIN)
    actor = audit_log.Actor(caller.user_id, caller.email)
    intent = billing.start_adding_payment_method(caller.account_id, actor, body.type)
    return Response(201, content_types.APPLICATION_JSON, SetupIntentView(**intent))


handler = lambda_handler(router, requires=("stripe_api_key_secret_name",))
