"""A user's TOTP: enrolment, its recovery codes, disabling MFA."""

from pydantic import BaseModel, Field

from comptasecure.models import Request
from comptasecure.validation import Code, MfaCode, Password


class TotpEnrollment(BaseModel):
    secret: str = Field(description="Base32 shared secret, shown once")
    otpauth_uri: str = Field(description="otpauth://totp/… for a QR code (SHA-1, 6 digits, 30 s)")


class TotpConfirmRequest(Request):
    code: Code


class RecoveryCodes(BaseModel):
    recovery_codes: list[str] = Field(description="10 single-use codes, shown once")


class DisableMfaRequest(Request):
    current_password: Password
    code: MfaCode
