from aws_lambda_powertools.event_handler import Response, content_types

from comptasecure.domain import users
from comptasecure.http import Role, api_router, current_caller, lambda_handler
from comptasecure.models.invitations import InvitationResults, InviteUsersRequest

router = api_router()


@router.post("/users")
def invite_users(body: InviteUsersRequest) -> Response[InvitationResults]:
    caller = current_caller(router)
    caller.require(Role.OWNER, Role.ADMIN)
    results = users.invite(caller.account_id, caller.user_id, body.users)
    return Response(207, content_types.APPLICATION_JSON, InvitationResults.model_validate({"results": results}))


handler = lambda_handler(router, requires=("state_machine_arn",))
