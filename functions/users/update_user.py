from comptasecure.domain import users
from comptasecure.http import Role, api_router, current_caller, lambda_handler
from comptasecure.models.user_update import UpdateUserRequest
from comptasecure.models.user_views import UserView

router = api_router()


@router.patch("/users/<id>")
def update_user(id: str, body: UpdateUserRequest) -> UserView:
    caller = current_caller(router)
    caller.require(Role.OWNER, Role.ADMIN)
    changes = users.UserChanges(**body.model_dump())
    return UserView.model_validate(users.update(caller.account_id, caller.user_id, id, changes), from_attributes=True)


handler = lambda_handler(router)
