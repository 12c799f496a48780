"""A user to invite, as a row of POST /users or of the CSV import."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema

from comptasecure.domain.user_rows import MAX_CELL_LENGTH

# Row fields stay loose here on purpose: each row is validated on its own by the domain and its
# error reported in its result, so one bad row never rejects the others (SPEC R-USR-3).
Loose = Annotated[str, StringConstraints(max_length=MAX_CELL_LENGTH)]
# The roles a user may be given, checked by the domain (422 `invalid_role`, `role_not_allowed`); the
# schema of an edit says which they are. A batch's row stays loose: its error is reported on its row.
AssignableRole = Annotated[Loose, WithJsonSchema({"type": "string", "enum": ["admin", "member"]})]
GroupIds = Annotated[list[Annotated[str, StringConstraints(max_length=100)]], Field(max_length=100)]


# One row of a batch (POST /users, the CSV import): an unknown column is refused, the rest is loose (above).
class NewUserRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Loose
    first_name: Loose | None = None
    last_name: Loose | None = None
    role: Loose | None = Field(default=None, description="admin or member (default member)")
    group_ids: GroupIds = Field(default_factory=list)
