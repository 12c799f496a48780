from comptasecure.domain import groups
from comptasecure.http import api_router, current_caller, lambda_handler, pagination
from comptasecure.http.pagination import DEFAULT_LIMIT, Cursor, Limit
from comptasecure.models.group_list import GroupPage, GroupSummary

router = api_router()


@router.get("/groups")
def list_groups(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> GroupPage:
    """List the account's groups.

    Each with its name and member count; GET /groups/{group_id} gives its members.
    """
    caller = current_caller(router)
    items, last_key = groups.page(caller.account_id, limit, pagination.decode(cursor, caller.account_id))
    return GroupPage(
        items=[GroupSummary.model_validate(item, from_attributes=True) for item in items],
        next_cursor=pagination.encode(last_key, caller.account_id),
    )


handler = lambda_handler(router)
