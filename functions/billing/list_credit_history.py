from comptasecure.domain import credits
from comptasecure.http import Role, api_router, current_caller, lambda_handler, pagination
from comptasecure.http.pagination import DEFAULT_LIMIT, Cursor, Limit
from comptasecure.models.credits import CreditHistoryPage

router = api_router()


@router.get("/billing/credits/history")
def list_credit_history(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> CreditHistoryPage:
    """List the credit movements.

    Grants (support, purchases) and consumptions (analyses).
    """
    caller = current_caller(router)
    caller.require(Role.OWNER, Role.ADMIN)
    start = pagination.decode(cursor, caller.account_id)
    return pagination.page_of(CreditHistoryPage, caller.account_id, *credits.history(caller.account_id, limit, start))


handler = lambda_handler(router)
