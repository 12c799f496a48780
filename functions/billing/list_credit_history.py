from comptasecure.domain import credits
from comptasecure.http import Role, api_router, current_caller, lambda_handler
from comptasecure.http.pagination import DEFAULT_LIMIT, Cursor, Limit
from comptasecure.models.credits import CreditHistoryPage, CreditMovement

router = api_router()


@router.get("/billing/credits/history")
def list_credit_history(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> CreditHistoryPage:
    caller = current_caller(router)
    caller.require(Role.OWNER, Role.ADMIN)
    movements, next_cursor = credits.history(caller.account_id, limit, cursor)
    return CreditHistoryPage(items=[CreditMovement(**item) for item in movements], next_cursor=next_cursor)


handler = lambda_handler(router)
