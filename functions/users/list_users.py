from comptasecure.domain import users
from comptasecure.http import api_router, current_caller, lambda_handler, pagination
from comptasecure.http.pagination import DEFAULT_LIMIT, Cursor, Limit
from comptasecure.models.user_list import UserPage

router = api_router()


@router.get("/users")
def list_users(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> UserPage:
    """List the account's users.

    Invited users included, with their role, groups, status and whether their email bounces; `limits`
    gives the account type's maximum and how many users count against it.
    """
    # Every role reads the table: members pick users when they share an FEC (R-ROLE manages, not reads).
    caller = current_caller(router)
    page = users.page(caller.account_id, limit, pagination.decode(cursor, caller.account_id))
    return UserPage.model_validate(
        {
            "items": page.items,
            "next_cursor": pagination.encode(page.last_key, caller.account_id),
            "limits": page.limits,
        },
        from_attributes=True,
    )


handler = lambda_handler(router)
