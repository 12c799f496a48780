from comptasecure.domain import audit_log, billing
from comptasecure.http import Role, api_router, current_caller, lambda_handler
from comptasecure.models.billing_address import BillingAddress, BillingAddressView

router = api_router()


@router.put("/billing/address")
def put_address(body: BillingAddress) -> BillingAddressView:
    """Set the billing address.

    Written to the account's Stripe customer (created on first need) and recorded in the audit trail; a
    VAT number is registered with Stripe, which may refuse it.
    """
    caller = current_caller(router)
    caller.require(Role.OWNER, Role.ADMIN)
    actor = audit_log.Actor(caller.user_id, caller.email)
    return BillingAddressView(**billing.update_address(caller.account_id, actor, body.model_dump()))


handler = lambda_handler(router, requires=("stripe_api_key_secret_name",))
