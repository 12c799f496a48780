"""Granting a group's earlier files to members who joined after they were shared (R-GRP-3)."""

from typing import Annotated

from pydantic import BaseModel, Field

from comptasecure.models import Request
from comptasecure.validation import Id


class ReshareRequest(Request):
    """Whom to grant the group's earlier files: every current member, or these members only."""

    user_ids: Annotated[list[Id], Field(min_length=1, max_length=500)] | None = None


class ReshareResult(BaseModel):
    granted: int  # grants made now; 0 when everyone already had every file
