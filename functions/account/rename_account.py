from comptasecure.domain import accounts, audit
from comptasecure.http import Role, api_router, current_caller, lambda_handler
from comptasecure.models.account import RenameAccountRequest
from comptasecure.models.identity import AccountView

router = api_router()


@router.patch("/account")
def rename_account(body: RenameAccountRequest) -> AccountView:
    caller = current_caller(router)
    caller.require(Role.OWNER)
    return AccountView(**accounts.rename(caller.account_id, audit.Actor(caller.user_id, caller.email), body.name))


handler = lambda_handler(router)
