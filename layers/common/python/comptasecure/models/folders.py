"""FEC folders: the account's folders, and sharing one (API.md "FEC sharing")."""

from pydantic import BaseModel

from comptasecure.models.fec_shares import ShareRequest
from comptasecure.models.fecs import Folder


class FolderView(BaseModel):
    folder: str
    fec_count: int
    user_ids: list[str]  # the users the folder is shared with: they see each of its files


class FolderPage(BaseModel):
    items: list[FolderView]
    next_cursor: str | None


class FolderShareRequest(ShareRequest):
    """Whom to share the folder with: as for a file, users and groups, at least one."""

    folder: Folder


class FolderShareResult(BaseModel):
    folder: str
    user_ids: list[str]
