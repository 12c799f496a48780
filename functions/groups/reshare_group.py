from comptasecure.domain import audit_log, groups
from comptasecure.http import MANAGERS, api_router, current_caller, lambda_handler
from comptasecure.http.params import GroupId
from comptasecure.models.group_reshare import ReshareRequest, ReshareResult

router = api_router()


@router.post("/groups/<group_id>/reshare")
def reshare_group(group_id: GroupId, body: ReshareRequest) -> ReshareResult:
    """Share the group's earlier files with its current members.

    Grants the files shared with the group so far to its current members (or to those of `user_ids`), each
    grant once: a second or concurrent call grants nothing twice (R-GRP-3).
    """
    caller = current_caller(router)
    caller.require(*MANAGERS)
    actor = audit_log.Actor(caller.user_id, caller.email)
    return ReshareResult(granted=groups.reshare(caller.account_id, actor, group_id, body.user_ids))


handler = lambda_handler(router)
