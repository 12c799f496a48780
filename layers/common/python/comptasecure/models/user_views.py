"""The account's users as the owner and admins see them, and a user's update."""

from typing import Literal

from pydantic import BaseModel, Field

from comptasecure.models import Request
from comptasecure.models.users import GroupIds, Loose
from comptasecure.validation import Name


class GroupRef(BaseModel):
    id: str
    name: str


Status = Literal["active", "invited", "invitation_expired", "pending_confirmation"]


class UserView(BaseModel):
    id: str
    email: str
    first_name: str | None = None
    last_name: str | None = None
    role: Literal["owner", "admin", "member"]
    groups: list[GroupRef]
    status: Status
    email_delivery: Literal["ok", "bounced", "complained"] = Field(
        default="ok", description="SES reported a permanent bounce or a complaint for this address"
    )
    mfa_enabled: bool


class UserLimits(BaseModel):
    max_users: int
    used: int


class UserPage(BaseModel):
    items: list[UserView]
    next_cursor: str | None
    limits: UserLimits


class UpdateUserRequest(Request):
    first_name: Name | None = None
    last_name: Name | None = None
    role: Loose | None = Field(default=None, description="admin or member; the owner changes only by a transfer")
    group_ids: GroupIds | None = None
