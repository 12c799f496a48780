"""FEC files: registering one for upload, listing them."""

from typing import Annotated

from pydantic import BaseModel, StringConstraints

from comptasecure.models import Request

FileName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255, pattern=r"^[^/\\]+$")]
Folder = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]


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
