from comptasecure.domain import users
from comptasecure.http import Role, api_router, current_caller, lambda_handler
from comptasecure.http.params import UserId
from comptasecure.models.user_update import UpdateUserRequest
from comptasecure.models.user_views import UserView

router = api_router()


@router.patch("/users/<id>")
def update_user(id: UserId, body: UpdateUserRequest) -> UserView:
    """Edit a user.

    Any of first name, last name, role (`admin` or `member`), groups (`group_ids` is the user's whole set)
    and access: `active: false` disables the user (status `disabled`: every session ends at once, every
    login answers 403 `user_disabled`; a disabled user still counts against the account's quota and keeps
    their groups and FEC files), `true` restores it. The owner's role changes only by a transfer of
    ownership, and the owner cannot be disabled; an admin cannot edit the owner.
    """
    caller = current_caller(router)
    caller.require(Role.OWNER, Role.ADMIN)
    changes = users.UserChanges(**body.model_dump())
    return UserView.model_validate(users.update(caller.account_id, caller.user_id, id, changes), from_attributes=True)


handler = lambda_handler(router)
