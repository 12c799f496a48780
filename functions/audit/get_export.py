from comptasecure.domain import audit_search
from comptasecure.http import Role, api_router, current_caller, lambda_handler
from comptasecure.http.params import ExportId
from comptasecure.models.audit_export import ExportStatus

router = api_router()


@router.get("/audit/exports/<export_id>")
def get_export(export_id: ExportId) -> ExportStatus:
    """Follow an audit export.

    `running`, then `ready` with a download link valid 15 minutes (ask again for a new one), or `failed`.
    Exports expire after 7 days.
    """
    caller = current_caller(router)
    caller.require(Role.OWNER, Role.ADMIN)
    state = audit_search.export_state(caller.account_id, export_id)
    return ExportStatus(status=state.status, download_url=state.download_url, expires_at=state.expires_at)


handler = lambda_handler(router, requires=("fec_bucket",))
