"""The tokens a login hands out, and the refresh token that renews or ends them."""

from typing import Literal

from pydantic import BaseModel

from comptasecure.models import Request


class TokenResponse(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int


class RefreshRequest(Request):
    refresh_token: str
