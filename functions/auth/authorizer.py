"""HTTP API Lambda authorizer (simple responses): a valid token of a live session of an active user.

The role and email passed on come from the user item read now, not from the token, so a demotion
or a deletion takes effect on the very next request. A request without a valid token goes on
marked unauthenticated, with the code of the reason when it had a token (`token_expired`: refresh;
`session_ended`: log in again; `invalid_token`): every non-public route refuses it with API.md's 401
body and that code (API Gateway itself could only answer 403, saying nothing).
"""

from dataclasses import asdict
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from comptasecure.domain import sessions
from comptasecure.errors import Unauthorized
from comptasecure.observability import logger
from comptasecure.settings import require

require()

UNAUTHENTICATED: dict[str, Any] = {"isAuthorized": True, "context": {"authenticated": False}}


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    logger.append_keys(route=event.get("routeKey"))
    header = (event.get("headers") or {}).get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return UNAUTHENTICATED
    try:
        identity = sessions.authorize(token.strip())
    except Unauthorized as refused:
        return {"isAuthorized": True, "context": {"authenticated": False, "reason": refused.code}}
    return {"isAuthorized": True, "context": {"authenticated": True, **asdict(identity)}}
