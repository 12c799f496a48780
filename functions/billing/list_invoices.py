from comptasecure.domain import invoices
from comptasecure.http import Role, api_router, current_caller, lambda_handler
from comptasecure.http.pagination import DEFAULT_LIMIT, Cursor, Limit
from comptasecure.models.invoices import Invoice, InvoicePage

router = api_router()


@router.get("/billing/invoices")
def list_invoices(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> InvoicePage:
    caller = current_caller(router)
    caller.require(Role.OWNER, Role.ADMIN)
    items, next_cursor = invoices.page(caller.account_id, limit, cursor)
    return InvoicePage(items=[Invoice(**item) for item in items], next_cursor=next_cursor)


handler = lambda_handler(router)
