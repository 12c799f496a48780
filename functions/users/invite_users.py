from aws_lambda_powertools.event_handler import Response, content_types

from comptasecure.domain import users
from comptasecure.domain.user_rows import NewUser
from comptasecure.http import Role, api_router, current_caller, lambda_handler
from comptasecure.models.invitations import InvitationResults, InviteUsersRequest

router = api_router()


@router.post("/users")
def invite_users(body: InviteUsersRequest) -> Response[InvitationResults]:
    """Invite users.

    Each row is checked and reported on its own (207): one bad row never refuses the others, and the
    account's user limit holds for the batch, also under concurrent requests. Each invited user gets an
    email with a link to choose a password (valid 2 hours by default), then a confirmation code.
    """
    caller = current_caller(router)
    caller.require(Role.OWNER, Role.ADMIN)
    rows = [NewUser(**row.model_dump()) for row in body.users]
    results = users.invite(caller.account_id, caller.user_id, rows)
    view = InvitationResults.model_validate({"results": results}, from_attributes=True)
    return Response(207, content_types.APPLICATION_JSON, view)


handler = lambda_handler(router)
