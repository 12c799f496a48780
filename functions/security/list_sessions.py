from comptasecure.domain import user_sessions
from comptasecure.http import api_router, current_caller, lambda_handler, pagination
from comptasecure.http.pagination import DEFAULT_LIMIT, Cursor, Limit
from comptasecure.models.sessions import SessionPage

router = api_router()


@router.get("/me/sessions")
def list_sessions(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> SessionPage:
    """List the caller's sessions, newest first.

    Each with the device (User-Agent) and IP of its last login or refresh; `current` marks the caller's.
    `last_used_at` moves at refresh, not at every request.
    """
    caller = current_caller(router)
    scope = f"{caller.account_id}:{caller.user_id}:sessions"
    items, last_key = user_sessions.page(
        caller.account_id,
        caller.user_id,
        caller.session_id,
        caller.session_epoch,
        limit,
        pagination.decode(cursor, scope),
    )
    next_cursor = pagination.encode(last_key, scope)
    return SessionPage.model_validate({"items": items, "next_cursor": next_cursor}, from_attributes=True)


handler = lambda_handler(router)
