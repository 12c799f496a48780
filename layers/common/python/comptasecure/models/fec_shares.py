"""Sharing an FEC file with users and groups."""

from pydantic import BaseModel, model_validator

from comptasecure.models import Request
from comptasecure.validation import Ids


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
