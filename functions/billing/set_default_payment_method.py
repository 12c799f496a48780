from comptasecure.domain import audit_log, billing
from comptasecure.http import Role, api_router, current_caller, lambda_handler
from comptasecure.http.params import PaymentMethodId
from comptasecure.models.payment_methods import PaymentMethodView

router = api_router()


@router.post("/billing/payment-methods/<method_id>/default")
def set_default_payment_method(method_id: PaymentMethodId) -> PaymentMethodView:
    """Make a payment method the default.

    Future invoices are paid with it; recorded in the audit trail.
    """
    caller = current_caller(router)
    caller.require(Role.OWNER, Role.ADMIN)
    actor = audit_log.Actor(caller.user_id, caller.email)
    return PaymentMethodView(**billing.set_default_payment_method(caller.account_id, actor, method_id))


handler = lambda_handler(router, requires=("stripe_api_key_secret_name",))
