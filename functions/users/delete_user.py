from aws_lambda_powertools.event_handler import Response

from comptasecure.domain import users
from comptasecure.http import Role, api_router, current_caller, lambda_handler
from comptasecure.http.params import UserId

router = api_router()


@router.delete("/users/<id>")
def delete_user(id: UserId) -> Response[None]:
    """Remove a user.

    Their sessions end and their invitation, if any, is withdrawn; the FEC files they imported stay on the
    account. The owner cannot be removed; an admin cannot remove the owner.
    """
    caller = current_caller(router)
    caller.require(Role.OWNER, Role.ADMIN)
    users.remove(caller.account_id, caller.user_id, id)
    return Response(204)


handler = lambda_handler(router)
