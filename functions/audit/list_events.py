from comptasecure.domain import audit_search
from comptasecure.http import Role, api_router, current_caller, lambda_handler, pagination
from comptasecure.http.pagination import DEFAULT_LIMIT, Cursor, Limit
from comptasecure.models.audit import AuditPage
from comptasecure.models.audit_filters import Action, ActorId, Since, Until

router = api_router()


@router.get("/audit")
def list_events(
    since: Since = None,
    until: Until = None,
    actor_id: ActorId = None,
    action: Action = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> AuditPage:
    """Search the audit trail, newest first.

    Filters by period (`from`, `to`), actor and action; every change to the account is recorded with who
    made it and what changed.
    """
    caller = current_caller(router)
    caller.require(Role.OWNER, Role.ADMIN)
    filters = audit_search.Filters(since, until, actor_id, action)
    start = pagination.decode(cursor, caller.account_id)
    events, last_key = audit_search.page(caller.account_id, filters, limit, start)
    return pagination.page_of(AuditPage, caller.account_id, events, last_key)


handler = lambda_handler(router)
