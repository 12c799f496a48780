"""A user as the owner and admins see them."""

from typing import Literal

from pydantic import BaseModel, Field


class GroupRef(BaseModel):
    id: str
    name: str


Status = Literal["active", "invited", "invitation_expired", "pending_confirmation", "disabled"]


class UserView(BaseModel):
    id: str
    email: str
    first_name: str | None = None
    last_name: str | None = None
    role: Literal["owner", "admin", "member"]
    groups: list[GroupRef]
    status: Status
    email_delivery: Literal["ok", "bounced", "complained", "failed"] = Field(
        default="ok",
        description="SES reported a permanent bounce or a complaint for this address; or (`failed`) the "
        "invitation or code could not be sent after every retry: resend it",
    )
    mfa_enabled: bool
    passkey_count: int = Field(description="How many passkeys the user has (R-MFA-5)")
    source: Literal["invitation", "sso", "scim"] = Field(
        default="invitation",
        description="How the user came: invited (or signed up, for the owner), created at a first SSO login, "
        "or provisioned by the firm's directory (SCIM)",
    )
