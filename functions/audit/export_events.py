from aws_lambda_powertools.event_handler import Response

from comptasecure.domain import audit_search
from comptasecure.http import Role, api_router, current_caller, lambda_handler
from comptasecure.models.audit_export import ExportStarted
from comptasecure.models.audit_filters import Action, ActorId, Since, Until

router = api_router()


@router.get("/audit/export")
def export_events(
    since: Since = None,
    until: Until = None,
    actor_id: ActorId = None,
    action: Action = None,
) -> Response[str]:
    """Export the audit trail as CSV.

    The same filters as GET /audit. Answers the CSV (UTF-8 with BOM, `;`-separated, for Excel) while it
    fits in one answer; otherwise 202 with an `export_id` to follow with GET /audit/exports/{export_id}.
    """
    caller = current_caller(router)
    caller.require(Role.OWNER, Role.ADMIN)
    export = audit_search.export(
        caller.account_id, caller.user_id, audit_search.Filters(since, until, actor_id, action)
    )
    if export.csv is None:
        # Too large for one answer: the export worker writes it; GET /audit/exports/{id} gives the link.
        return Response(202, "application/json", ExportStarted(export_id=str(export.export_id)).model_dump_json())
    return Response(
        200,
        "text/csv; charset=utf-8",
        export.csv,
        headers={"Content-Disposition": f'attachment; filename="{audit_search.EXPORT_FILE_NAME}"'},
    )


handler = lambda_handler(router)
