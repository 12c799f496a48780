"""Inviting users, one by one, by list or by CSV, and the result of each row."""

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from comptasecure.domain.user_rows import MAX_ROWS
from comptasecure.models import Request
from comptasecure.models.users import NewUserRow


class InviteUsersRequest(Request):
    users: Annotated[list[NewUserRow], Field(min_length=1, max_length=MAX_ROWS)]


class RowError(BaseModel):
    code: str
    message: str
    field: str | None = None


class InvitationResult(BaseModel):
    email: str
    status: Literal["invited", "error"]
    user_id: str | None = None
    error: RowError | None = None
    line: int | None = Field(default=None, description="CSV import only: the row's line in the file")


class InvitationResults(BaseModel):
    results: list[InvitationResult]
