"""Accepting an invitation: the emailed token and the new password."""

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from comptasecure.models import Request
from comptasecure.validation import NewPassword


class AcceptInvitationRequest(Request):
    token: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
        Field(description="The `token` parameter of the invitation link, as given."),
    ]
    password: NewPassword


class AcceptedInvitation(BaseModel):
    email: str
    status: Literal["pending_confirmation"]
