"""Groups and FEC sharing."""

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from comptasecure.models import Request

GroupName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Ids = Annotated[list[Id], Field(max_length=500)]
FileName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255, pattern=r"^[^/\\]+$")]
Folder = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]


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


class ReshareRequest(Request):
    """Whom to grant the group's earlier files: every current member, or these members only."""

    user_ids: Annotated[list[Id], Field(min_length=1, max_length=500)] | None = None


class ReshareResult(BaseModel):
    granted: int  # grants made now; 0 when everyone already had every file


class GroupSummary(BaseModel):
    id: str
    name: str
    member_count: int


class GroupPage(BaseModel):
    items: list[GroupSummary]
    next_cursor: str | None


class FecCreate(Request):
    file_name: FileName
    folder: Folder | None = None


class FecView(BaseModel):
    id: str
    file_name: str
    folder: str | None
    imported_by: str
    imported_by_email: str | None
    imported_at: str
    naming_warning: str | None


class FecCreated(FecView):
    upload_url: str


class FecPage(BaseModel):
    items: list[FecView]
    next_cursor: str | None


class ShareRequest(Request):
    user_ids: Ids = []
    group_ids: Ids = []

    @model_validator(mode="after")
    def someone(self) -> "ShareRequest":
        if not self.user_ids and not self.group_ids:
            raise ValueError("Indiquez au moins un utilisateur ou un groupe.")
        return self


class ShareResult(BaseModel):
    user_ids: list[str]
