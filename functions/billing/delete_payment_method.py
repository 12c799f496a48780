from aws_lambda_powertools.event_handler import Response

from comptasecure.domain import audit_log, billing
from comptasecure.http import Role, api_router, current_caller, lambda_handler
from comptasecure.http.params import PaymentMethodId

router = api_router()


@router.delete("/billing/payment-methods/<method_id>")
def delete_payment_method(method_id: PaymentMethodId) -> Response[None]:
    """Remove a payment method.

    Detached from the account's Stripe customer; recorded in the audit trail.
    """
    caller = current_caller(router)
    caller.require(Role.OWNER, Role.ADMIN)
    billing.remove_payment_method(caller.account_id, audit_log.Actor(caller.user_id, caller.email), method_id)
    return Response(204)


handler = lambda_handler(router, requires=("stripe_api_key_secret_name",))
