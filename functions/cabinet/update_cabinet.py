from comptasecure.domain import audit_log, cabinet
from comptasecure.http import Role, api_router, current_caller, lambda_handler
from comptasecure.models.cabinet import CabinetView, FirmFieldsUpdate

router = api_router()


@router.patch("/cabinet")
def update_cabinet(body: FirmFieldsUpdate) -> CabinetView:
    """Edit the firm information.

    Any of its fields; `null` empties one. Recorded in the audit trail.
    """
    caller = current_caller(router)
    caller.require(Role.OWNER, Role.ADMIN)
    actor = audit_log.Actor(caller.user_id, caller.email)
    return CabinetView(fields=cabinet.update(caller.account_id, actor, body.fields.changes()))


handler = lambda_handler(router)
