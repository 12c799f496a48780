"""Access management: the users table, invitations (one by one, by list, by CSV) and their acceptance."""

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from comptasecure.domain.user_rows import MAX_CELL_LENGTH, MAX_ROWS
from comptasecure.models import Request, Row
from comptasecure.validation import Name, Password

# Row fields stay loose here on purpose: each row is validated on its own by the domain and its
# error reported in its result, so one bad row never rejects the others (SPEC R-USR-3).
Loose = Annotated[str, StringConstraints(max_length=MAX_CELL_LENGTH)]
GroupIds = Annotated[list[Annotated[str, StringConstraints(max_length=100)]], Field(max_length=100)]


class NewUserRow(Row):
    email: Loose
    first_name: Loose | None = None
    last_name: Loose | None = None
    role: Loose | None = Field(default=None, description="admin or member (default member)")
    group_ids: GroupIds = Field(default_factory=list)


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


class AcceptInvitationRequest(Request):
    token: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    password: Password


class AcceptedInvitation(BaseModel):
    email: str
    status: Literal["pending_confirmation"]
