"""A TOTP enrolment confirmed by its first code, and the recovery codes shown once."""

from pydantic import BaseModel, Field

from comptasecure.models import Request
from comptasecure.validation import Code


class TotpConfirmRequest(Request):
    code: Code


class RecoveryCodes(BaseModel):
    recovery_codes: list[str] = Field(description="10 single-use codes, shown once")
