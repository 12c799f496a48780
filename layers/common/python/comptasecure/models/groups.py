"""A group of users, and its creation."""

from typing import Annotated

from pydantic import BaseModel, StringConstraints

from comptasecure.models import Request
from comptasecure.validation import Ids

GroupName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class GroupCreate(Request):
    name: GroupName
    member_ids: Ids = []


class GroupView(BaseModel):
    id: str
    name: str
    member_ids: list[str]
    member_count: int
    shared_fec_count: int  # files shared with the group so far (R-GRP-3)
    shared_folder_count: int = 0  # folders shared with the group so far (R-FOL-1)
