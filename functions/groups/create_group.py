from aws_lambda_powertools.event_handler import Response, content_types

from comptasecure.domain import audit_log, groups
from comptasecure.http import MANAGERS, api_router, current_caller, lambda_handler
from comptasecure.models.groups import GroupCreate, GroupView

router = api_router()


@router.post("/groups")
def create_group(body: GroupCreate) -> Response[GroupView]:
    """Create a group.

    With its members, picked from the account's users. Names are unique per account whatever the case;
    the account type limits the number of groups.
    """
    caller = current_caller(router)
    caller.require(*MANAGERS)
    group = groups.create(caller.account_id, audit_log.Actor(caller.user_id, caller.email), body.name, body.member_ids)
    return Response(201, content_types.APPLICATION_JSON, GroupView.model_validate(group, from_attributes=True))


handler = lambda_handler(router)
