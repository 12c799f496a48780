from comptasecure.domain import invoices
from comptasecure.http import Role, api_router, current_caller, lambda_handler, pagination
from comptasecure.http.pagination import DEFAULT_LIMIT, Cursor, Limit
from comptasecure.models.invoices import InvoicePage

router = api_router()


@router.get("/billing/invoices")
def list_invoices(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> InvoicePage:
    """List the paid invoices.

    From Stripe: name (number), payment date, amount excluding tax, and a link to its PDF.
    """
    caller = current_caller(router)
    caller.require(Role.OWNER, Role.ADMIN)
    start = pagination.decode(cursor, caller.account_id)
    return pagination.page_of(InvoicePage, caller.account_id, *invoices.page(caller.account_id, limit, start))


handler = lambda_handler(router)
