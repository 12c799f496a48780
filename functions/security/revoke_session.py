from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from comptasecure.domain import audit_log, user_sessions
from comptasecure.http import api_router, current_caller, lambda_handler

router = api_router()

SessionId = Annotated[str, Path(pattern=r"^[0-9a-f]{1,64}$")]


@router.delete("/me/sessions/<session_id>")
def revoke_session(session_id: SessionId) -> Response[None]:
    caller = current_caller(router)
    user_sessions.revoke(caller.account_id, audit_log.Actor(caller.user_id, caller.email), session_id)
    return Response(204)


handler = lambda_handler(router)
