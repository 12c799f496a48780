"""Signing up (API.md "Identity"): the new user and account."""

from typing import Literal

from pydantic import BaseModel

from comptasecure.models import Request
from comptasecure.validation import CompanyName, Email, Name, NewPassword, Phone, Siren


class SignupRequest(Request):
    email: Email
    password: NewPassword
    first_name: Name
    last_name: Name
    company_name: CompanyName
    phone: Phone | None = None
    siren: Siren | None = None


class SignupResponse(BaseModel):
    user_id: str
    account_id: str
    status: Literal["pending_confirmation"]
