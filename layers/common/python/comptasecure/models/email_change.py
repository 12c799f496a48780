"""Changing the login email, confirmed by a code sent to the new address."""

from typing import Literal

from pydantic import BaseModel

from comptasecure.models import Request
from comptasecure.validation import Code, Email, Password


class EmailChangeRequest(Request):
    new_email: Email
    current_password: Password


class EmailChangeResponse(BaseModel):
    status: Literal["pending_confirmation"]


class EmailChangeConfirmRequest(Request):
    code: Code
