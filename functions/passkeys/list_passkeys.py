from comptasecure.domain import passkeys
from comptasecure.http import api_router, current_caller, lambda_handler, pagination
from comptasecure.http.pagination import DEFAULT_LIMIT, Cursor, Limit
from comptasecure.models.passkeys import PasskeyPage

router = api_router()


@router.get("/me/passkeys")
def list_passkeys(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> PasskeyPage:
    """List the caller's passkeys.

    Each with its name, when it was added and when it last logged in.
    """
    caller = current_caller(router)
    scope = f"{caller.account_id}:{caller.user_id}:passkeys"
    items, last_key = passkeys.page(caller.account_id, caller.user_id, limit, pagination.decode(cursor, scope))
    return PasskeyPage.model_validate(
        {"items": items, "next_cursor": pagination.encode(last_key, scope)}, from_attributes=True
    )


handler = lambda_handler(router)
