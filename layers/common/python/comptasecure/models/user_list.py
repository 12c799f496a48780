"""The account's users, a page at a time, with the account's user limit."""

from pydantic import BaseModel

from comptasecure.models.user_views import UserView


class UserLimits(BaseModel):
    max_users: int
    used: int


class UserPage(BaseModel):
    items: list[UserView]
    next_cursor: str | None
    limits: UserLimits
