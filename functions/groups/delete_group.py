from aws_lambda_powertools.event_handler import Response

from comptasecure.domain import audit_log, groups
from comptasecure.http import MANAGERS, api_router, current_caller, lambda_handler
from comptasecure.http.params import GroupId

router = api_router()


@router.delete("/groups/<group_id>")
def delete_group(group_id: GroupId) -> Response[None]:
    """Delete a group.

    Its members keep the access already granted through it.
    """
    caller = current_caller(router)
    caller.require(*MANAGERS)
    groups.delete(caller.account_id, audit_log.Actor(caller.user_id, caller.email), group_id)
    return Response(204)


handler = lambda_handler(router)
