from comptasecure.domain import billing
from comptasecure.http import Role, api_router, current_caller, lambda_handler
from comptasecure.models.billing_address import BillingAddressView

router = api_router()


@router.get("/billing/address")
def get_address() -> BillingAddressView:
    """Read the billing address.

    As the account's Stripe customer holds it (company name, address, VAT number).
    """
    caller = current_caller(router)
    caller.require(Role.OWNER, Role.ADMIN)
    return BillingAddressView(**billing.address(caller.account_id))


handler = lambda_handler(router)
