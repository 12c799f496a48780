from comptasecure.domain import credits
from comptasecure.http import Role, api_router, current_caller, lambda_handler
from comptasecure.models.credits import CreditBalance, CreditBalanceList

router = api_router()


@router.get("/billing/credits")
def list_credits() -> CreditBalanceList:
    """Read the credit balances.

    Per credit type: granted, consumed and remaining credits.
    """
    caller = current_caller(router)
    caller.require(Role.OWNER, Role.ADMIN)
    return CreditBalanceList(items=[CreditBalance(**item) for item in credits.balances(caller.account_id)])


handler = lambda_handler(router)
