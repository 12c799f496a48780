from comptasecure.domain import audit_log, fecs
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.http.params import FecId
from comptasecure.models.fec_shares import ShareRequest, ShareResult

router = api_router()


@router.post("/fecs/<fec_id>/shares")
def share_fec(fec_id: FecId, body: ShareRequest) -> ShareResult:
    """Share an FEC file with users and groups.

    Groups expand to their members at this moment: a user who joins a group later does not see the file
    (R-GRP-2). A member may share only the files they imported.
    """
    caller = current_caller(router)
    sharer = audit_log.Actor(caller.user_id, caller.email)
    granted = fecs.share(caller.account_id, sharer, caller.role, fec_id, body.user_ids, body.group_ids)
    return ShareResult(user_ids=granted)


handler = lambda_handler(router)
