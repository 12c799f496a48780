from comptasecure.domain import fecs
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.models.fec_shares import ShareRequest, ShareResult

router = api_router()


@router.post("/fecs/<fec_id>/shares")
def share_fec(fec_id: str, body: ShareRequest) -> ShareResult:
    caller = current_caller(router)
    return ShareResult(user_ids=fecs.share(caller, fec_id, body.user_ids, body.group_ids))


handler = lambda_handler(router)
