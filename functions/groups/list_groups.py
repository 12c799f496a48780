from comptasecure.domain import groups
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.http.pagination import DEFAULT_LIMIT, Cursor, Limit
from comptasecure.models.group_list import GroupPage, GroupSummary

router = api_router()


@router.get("/groups")
def list_groups(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> GroupPage:
    caller = current_caller(router)
    items, next_cursor = groups.page(caller.account_id, limit, cursor)
    return GroupPage(items=[GroupSummary(**item) for item in items], next_cursor=next_cursor)


handler = lambda_handler(router)
