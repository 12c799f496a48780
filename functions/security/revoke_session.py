from aws_lambda_powertools.event_handler import Response

from comptasecure.domain import audit_log, user_sessions
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.http.params import SessionId

router = api_router()


@router.delete("/me/sessions/<session_id>")
def revoke_session(session_id: SessionId) -> Response[None]:
    """End one of the caller's sessions.

    Its tokens stop working at once (their next request answers 401 `session_ended`).
    """
    caller = current_caller(router)
    user_sessions.revoke(caller.account_id, audit_log.Actor(caller.user_id, caller.email), session_id)
    return Response(204)


handler = lambda_handler(router)
