"""FEC folders: the account's folders, and sharing one (API.md "FEC sharing")."""

from pydantic import BaseModel, model_validator

from comptasecure.models import Request
from comptasecure.models.fecs import Folder
from comptasecure.validation import Ids


class FolderView(BaseModel):
    folder: str
    fec_count: int
    user_ids: list[str]  # the users the folder is shared with: they see each of its files


class FolderPage(BaseModel):
    items: list[FolderView]
    next_cursor: str | None


class FolderShareRequest(Request):
    folder: Folder
    user_ids: Ids = []
    group_ids: Ids = []

    @model_validator(mode="after")
    def someone(self) -> "FolderShareRequest":
        if not self.user_ids and not self.group_ids:
            raise ValueError("Indiquez au moins un utilisateur ou un groupe.")
        return self


class FolderShareResult(BaseModel):
    folder: str
    user_ids: list[str]
