from comptasecure.domain import audit_search
from comptasecure.http import Role, api_router, current_caller, lambda_handler
from comptasecure.http.pagination import DEFAULT_LIMIT, Cursor, Limit
from comptasecure.models.audit import AuditEvent, AuditPage
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
    caller = current_caller(router)
    caller.require(Role.OWNER, Role.ADMIN)
    filters = audit_search.Filters(since, until, actor_id, action)
    events, next_cursor = audit_search.page(caller.account_id, filters, limit, cursor)
    return AuditPage(items=[AuditEvent(**event) for event in events], next_cursor=next_cursor)


handler = lambda_handler(router)
