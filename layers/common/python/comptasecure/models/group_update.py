"""A group's update, and the earlier files its added members do not see (R-GRP-2, R-GRP-3)."""

from pydantic import BaseModel

from comptasecure.models import Request
from comptasecure.models.groups import GroupName, GroupView
from comptasecure.validation import Ids


class GroupPatch(Request):
    name: GroupName | None = None
    member_ids: Ids | None = None


class EarlierShares(BaseModel):
    """Added members who do not see files shared with the group before they joined (R-GRP-2, R-GRP-3)."""

    fec_count: int  # files shared with the group itself that they do not see
    member_ids: list[str]
    folder_count: int = 0  # folders shared with the group that are not shared with them


class GroupUpdated(GroupView):
    earlier_shares: EarlierShares | None = None  # only when an added member misses earlier files
