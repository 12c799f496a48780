from comptasecure.domain import audit_log, fecs
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.models.fec_shares import ShareRequest, ShareResult

router = api_router()


@router.post("/fecs/<fec_id>/shares")
def share_fec(fec_id: str, body: ShareRequest) -> ShareResult:
    caller = current_caller(router)
    sharer = audit_log.Actor(caller.user_id, caller.email)
    granted = fecs.share(caller.account_id, sharer, caller.role, fec_id, body.user_ids, body.group_ids)
    return ShareResult(user_ids=granted)


handler = lambda_handler(router)
