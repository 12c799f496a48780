from comptasecure.domain import accounts
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.models.account import AccountView

router = api_router()


@router.get("/account")
def get_account() -> AccountView:
    """Read the account.

    Its name, type and limits, usage, owner, whether the caller may delete it (`can_delete`: the owner
    alone on it) and whether it requires MFA of every user.
    """
    caller = current_caller(router)
    return AccountView.model_validate(accounts.view(caller.account_id, caller.user_id), from_attributes=True)


handler = lambda_handler(router)
