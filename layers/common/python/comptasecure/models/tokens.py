"""The tokens a login hands out, and the refresh token that renews or ends them."""

from typing import Literal

from pydantic import BaseModel, Field

from comptasecure.models import Request


class TokenResponse(BaseModel):
    access_token: str = Field(description="Send as `Authorization: Bearer <access_token>`; valid `expires_in` seconds.")
    refresh_token: str = Field(description="For POST /auth/refresh (once) and POST /auth/logout; keep it secret.")
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int = Field(description="Seconds the access token stays valid.")


class RefreshRequest(Request):
    refresh_token: str = Field(description="The `refresh_token` of the last login or refresh.")
