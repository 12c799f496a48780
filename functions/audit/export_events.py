from aws_lambda_powertools.event_handler import Response

from comptasecure.domain import audit_trail
from comptasecure.http import Role, api_router, current_caller, lambda_handler
from comptasecure.models.audit import Action, ActorId, Since, Until

router = api_router()


@router.get("/audit/export")
def export_events(
    since: Since = None,
    until: Until = None,
    actor_id: ActorId = None,
    action: Action = None,
) -> Response[str]:
    caller = current_caller(router)
    caller.require(Role.OWNER, Role.ADMIN)
    csv = audit_trail.export_csv(caller.account_id, audit_trail.Filters(since, until, actor_id, action))
    return Response(
        200,
        "text/csv; charset=utf-8",
        csv,
        headers={"Content-Disposition": 'attachment; filename="journal-audit.csv"'},
    )


handler = lambda_handler(router)
