from aws_lambda_powertools.event_handler import Response

from comptasecure.domain import accounts
from comptasecure.http import Role, api_router, current_caller, lambda_handler

router = api_router()


@router.delete("/account")
def delete_account() -> Response[None]:
    """Delete the account.

    Only while the owner is its only user (invited users count): otherwise 409 `account_not_empty`. From
    the 204 on no token of the account works; its data, files, pending workflows and Stripe customer are
    then removed in the background.
    """
    caller = current_caller(router)
    caller.require(Role.OWNER)
    accounts.delete(caller.account_id, caller.user_id)
    return Response(204)


handler = lambda_handler(router)
