"""Identity, profile and account views."""

from typing import Literal

from pydantic import BaseModel

from comptasecure.models import Request
from comptasecure.validation import Code, CompanyName, Email, Name, Password, Phone, Siren


class SignupRequest(Request):
    email: Email
    password: Password
    first_name: Name
    last_name: Name
    company_name: CompanyName
    phone: Phone | None = None
    siren: Siren | None = None


class SignupResponse(BaseModel):
    user_id: str
    account_id: str
    status: Literal["pending_confirmation"]


class ConfirmRequest(Request):
    email: Email
    code: Code


class StatusResponse(BaseModel):
    status: str


class EmailRequest(Request):
    email: Email


class LoginRequest(Request):
    email: str
    password: Password


class RefreshRequest(Request):
    refresh_token: str


class TokenResponse(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int


class Profile(BaseModel):
    id: str
    email: str
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    company_name: str | None = None
    siren: str | None = None
    job_title: str | None = None
    company_size: str | None = None
    role: str
    account_id: str
    status: str
    mfa_enabled: bool


class AccountTypeRef(BaseModel):
    id: str
    label: str


class AccountView(BaseModel):
    id: str
    name: str
    type: AccountTypeRef
    limits: dict[str, int]
    usage: dict[str, int]
    owner_id: str
    can_delete: bool
    require_mfa: bool


class AccountTypeView(BaseModel):
    id: str
    label: str
    limits: dict[str, int]
    obtained_by: Literal["signup", "first_purchase", "support"]
    is_current: bool


class AccountTypeList(BaseModel):
    items: list[AccountTypeView]
