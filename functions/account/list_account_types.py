from comptasecure.domain import accounts
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.models.account_types import AccountTypeList, AccountTypeView

router = api_router()


@router.get("/account-types")
def list_account_types() -> AccountTypeList:
    caller = current_caller(router)
    return AccountTypeList(items=[AccountTypeView(**item) for item in accounts.types_for(caller.account_id)])


handler = lambda_handler(router)
