from comptasecure.domain import fecs
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.http.pagination import DEFAULT_LIMIT, Cursor, Limit
from comptasecure.models.fecs import FecPage, FecView

router = api_router()


@router.get("/fecs")
def list_fecs(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> FecPage:
    caller = current_caller(router)
    items, next_cursor = fecs.visible_page(caller, limit, cursor)
    return FecPage(items=[FecView(**item) for item in items], next_cursor=next_cursor)


handler = lambda_handler(router)
