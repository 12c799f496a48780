from comptasecure.domain import accounts
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.models.account_types import AccountTypeList, AccountTypeView

router = api_router()


@router.get("/account-types")
def list_account_types() -> AccountTypeList:
    """Compare the account types.

    Every type of the catalogue with its limits and how one gets it (`signup`, `first_purchase`,
    `support`); `is_current` marks the account's.
    """
    caller = current_caller(router)
    types = accounts.types_for(caller.account_id)
    return AccountTypeList(items=[AccountTypeView.model_validate(choice, from_attributes=True) for choice in types])


handler = lambda_handler(router)
