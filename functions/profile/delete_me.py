from aws_lambda_powertools.event_handler import Response

from comptasecure.domain import users
from comptasecure.http import api_router, current_caller, lambda_handler

router = api_router()


@router.delete("/me")
def delete_me() -> Response[None]:
    """Delete the caller's own user.

    Not for the owner (409 `owner_cannot_leave`: transfer the ownership first) nor for a user alone on the
    account (409 `alone_on_account`). The FEC files the user imported stay on the account.
    """
    caller = current_caller(router)
    users.leave(caller.account_id, caller.user_id)
    return Response(204)


handler = lambda_handler(router)
