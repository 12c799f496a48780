"""A user's update by the owner or an admin."""

from pydantic import Field

from comptasecure.models import Request
from comptasecure.models.users import AssignableRole, GroupIds
from comptasecure.validation import Name


class UpdateUserRequest(Request):
    first_name: Name | None = None
    last_name: Name | None = None
    role: AssignableRole | None = Field(
        default=None, description="admin or member; the owner changes only by a transfer"
    )
    group_ids: GroupIds | None = None
    active: bool | None = Field(
        default=None,
        description="false disables the user: every session ends at once and every login is refused "
        "(403 `user_disabled`); the user still counts against the account's quota and keeps their groups and "
        "files. true restores the access.",
    )
