"""Changing the password, confirmed by an emailed code."""

from typing import Literal

from pydantic import BaseModel

from comptasecure.models import Request
from comptasecure.validation import Code, NewPassword, Password


class PasswordChangeRequest(Request):
    current_password: Password
    new_password: NewPassword
    new_password_confirmation: NewPassword


class PasswordConfirmRequest(Request):
    code: Code


class PasswordChangeResponse(BaseModel):
    status: Literal["pending_confirmation"]
