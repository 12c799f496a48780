from comptasecure.domain import fecs
from comptasecure.http import api_router, current_caller, lambda_handler, pagination
from comptasecure.http.pagination import DEFAULT_LIMIT, Cursor, Limit
from comptasecure.models.fecs import FecPage, FecView

router = api_router()


@router.get("/fecs")
def list_fecs(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> FecPage:
    """List the FEC files the caller may open.

    The owner and admins see every file of the account; a member, the files they imported or that were
    shared with them.
    """
    caller = current_caller(router)
    # Bound to the user too: what a member sees is its own list, a cursor of it is useless to another.
    scope = f"{caller.account_id}:{caller.user_id}"
    start_key = pagination.decode(cursor, scope)
    items, last_key = fecs.visible_page(caller.account_id, caller.user_id, caller.role, limit, start_key)
    return FecPage(
        items=[FecView.model_validate(item) for item in items], next_cursor=pagination.encode(last_key, scope)
    )


handler = lambda_handler(router)
