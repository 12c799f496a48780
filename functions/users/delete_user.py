from aws_lambda_powertools.event_handler import Response

from comptasecure.domain import users
from comptasecure.http import Role, api_router, current_caller, lambda_handler

router = api_router()


@router.delete("/users/<id>")
def delete_user(id: str) -> Response[None]:
    caller = current_caller(router)
    caller.require(Role.OWNER, Role.ADMIN)
    users.remove(caller.account_id, caller.user_id, id)
    return Response(204)


handler = lambda_handler(router)
