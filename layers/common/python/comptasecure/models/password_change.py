"""Changing the password, confirmed by an emailed code."""

from typing import Literal

from pydantic import BaseModel

from comptasecure.models import Request
from comptasecure.validation import Code, Password


class PasswordChangeRequest(Request):
    current_password: Password
    new_password: Password
    new_password_confirmation: Password


class PasswordConfirmRequest(Request):
    code: Code


class PasswordChangeResponse(BaseModel):
    status: Literal["pending_confirmation"]
