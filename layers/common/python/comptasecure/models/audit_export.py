"""An audit export: started by one route, its CSV fetched by another."""

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel


class ExportStarted(BaseModel):
    export_id: str


class ExportStatus(BaseModel):
    status: Literal["running", "ready", "failed"]
    download_url: str | None = None
    expires_at: str | None = None


ExportId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
