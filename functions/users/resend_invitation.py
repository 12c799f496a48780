from aws_lambda_powertools.event_handler import Response, content_types

from comptasecure.domain import users
from comptasecure.http import Role, api_router, current_caller, lambda_handler
from comptasecure.http.params import UserId

router = api_router()


@router.post("/users/<id>/resend-invitation")
def resend_invitation(id: UserId) -> Response[None]:
    """Send the invitation again.

    A new link (valid 2 hours by default) replaces the previous one, which stops working.
    """
    caller = current_caller(router)
    caller.require(Role.OWNER, Role.ADMIN)
    users.resend_invitation(caller.account_id, caller.user_id, id)
    return Response(202, content_types.APPLICATION_JSON, None)


handler = lambda_handler(router)
