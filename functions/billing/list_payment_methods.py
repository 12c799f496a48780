from comptasecure.domain import billing
from comptasecure.http import Role, api_router, current_caller, lambda_handler
from comptasecure.models.payment_methods import PaymentMethodList, PaymentMethodView

router = api_router()


@router.get("/billing/payment-methods")
def list_payment_methods() -> PaymentMethodList:
    """List the payment methods.

    Cards and SEPA debits of the account's Stripe customer: brand, last 4 digits and expiry only;
    `is_default` marks the one invoices are paid with.
    """
    caller = current_caller(router)
    caller.require(Role.OWNER, Role.ADMIN)
    return PaymentMethodList(items=[PaymentMethodView(**item) for item in billing.payment_methods(caller.account_id)])


handler = lambda_handler(router, requires=("stripe_api_key_secret_name",))
