"""An audit export: started by one route, its CSV fetched by another."""

from typing import Literal

from pydantic import BaseModel


class ExportStarted(BaseModel):
    export_id: str


class ExportStatus(BaseModel):
    status: Literal["running", "ready", "failed"]
    download_url: str | None = None
    expires_at: str | None = None
