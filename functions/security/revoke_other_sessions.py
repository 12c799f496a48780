from aws_lambda_powertools.event_handler import Response

from comptasecure.domain import audit_log, user_sessions
from comptasecure.http import api_router, current_caller, lambda_handler

router = api_router()


@router.post("/me/sessions/revoke-others")
def revoke_other_sessions() -> Response[None]:
    """End every session of the caller but the current one.

    Their tokens stop working at once (401 `session_ended`); the current session goes on.
    """
    caller = current_caller(router)
    actor = audit_log.Actor(caller.user_id, caller.email)
    user_sessions.revoke_others(caller.account_id, actor, caller.session_id, caller.session_epoch)
    return Response(204)


handler = lambda_handler(router)
