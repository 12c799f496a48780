from aws_lambda_powertools.event_handler import Response

from comptasecure.domain import user_access
from comptasecure.http import MANAGERS, api_router, current_caller, lambda_handler
from comptasecure.http.params import UserId

router = api_router()


@router.post("/users/<id>/sessions/revoke")
def revoke_sessions(id: UserId) -> Response[None]:
    """End every session of a user.

    All their tokens stop working at once (401 `session_ended`), the caller's own included when a manager
    revokes their own sessions; the user can log in again. An admin cannot end the owner's sessions.
    """
    caller = current_caller(router)
    caller.require(*MANAGERS)
    user_access.revoke_sessions(caller.account_id, caller.user_id, id)
    return Response(204)


handler = lambda_handler(router)
