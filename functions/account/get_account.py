from comptasecure.domain import accounts
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.models.account import AccountView

router = api_router()


@router.get("/account")
def get_account() -> AccountView:
    caller = current_caller(router)
    return AccountView.model_validate(accounts.view(caller.account_id, caller.user_id), from_attributes=True)


handler = lambda_handler(router)
