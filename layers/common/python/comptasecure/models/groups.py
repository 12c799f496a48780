"""Groups of users: creation, a group, its update."""

from typing import Annotated

from pydantic import BaseModel, StringConstraints

from comptasecure.models import Request
from comptasecure.validation import Ids

GroupName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class GroupCreate(Request):
    name: GroupName
    member_ids: Ids = []


class GroupPatch(Request):
    name: GroupName | None = None
    member_ids: Ids | None = None


class GroupView(BaseModel):
    id: str
    name: str
    member_ids: list[str]
    member_count: int
    shared_fec_count: int  # files shared with the group so far (R-GRP-3)


class EarlierShares(BaseModel):
    """Added members who do not see files shared with the group before they joined (R-GRP-2, R-GRP-3)."""

    fec_count: int
    member_ids: list[str]


class GroupUpdated(GroupView):
    earlier_shares: EarlierShares | None = None  # only when an added member misses earlier files
