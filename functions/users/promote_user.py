from comptasecure.domain import users
from comptasecure.http import Role, api_router, current_caller, lambda_handler
from comptasecure.http.params import UserId
from comptasecure.models.user_views import UserView

router = api_router()


@router.post("/users/<id>/promote")
def promote_user(id: UserId) -> UserView:
    """Make a member an admin.

    The promoted user may manage users, groups, billing and the firm information from their next request
    (R-ROLE). Recorded in the audit trail.
    """
    caller = current_caller(router)
    caller.require(Role.OWNER, Role.ADMIN)
    return UserView.model_validate(users.promote(caller.account_id, caller.user_id, id), from_attributes=True)


handler = lambda_handler(router)
