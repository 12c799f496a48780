"""Pydantic models of what crosses the HTTP edge (API.md), one module per area. Unknown request fields are refused."""

from pydantic import BaseModel, ConfigDict


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")
