"""Account security (API.md "Account security" and the public /auth/mfa routes): MFA, sessions, email change."""

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from comptasecure.domain.mfa_challenge import VERIFY, Challenge
from comptasecure.models import Request
from comptasecure.models.identity import TokenResponse
from comptasecure.validation import Code, Email, Password

# A TOTP code (6 digits) or a recovery code (10 letters and digits, the dash optional).
MfaCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^(\d{6}|[A-Za-z0-9]{5}-?[A-Za-z0-9]{5})$")]
MfaToken = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2048)]


class MfaRequired(BaseModel):
    mfa_required: Literal[True] = True
    mfa_token: str = Field(description="Valid 5 minutes, for POST /auth/mfa only")


class MfaEnrollmentRequired(BaseModel):
    mfa_enrollment_required: Literal[True] = True
    mfa_token: str = Field(description="Valid 5 minutes, for POST /auth/mfa/enroll and …/enroll/confirm only")


MfaChallengeResponse = MfaRequired | MfaEnrollmentRequired


def challenge_response(challenge: Challenge) -> MfaChallengeResponse:
    if challenge.purpose == VERIFY:
        return MfaRequired(mfa_token=challenge.mfa_token)
    return MfaEnrollmentRequired(mfa_token=challenge.mfa_token)


class MfaLoginRequest(Request):
    mfa_token: MfaToken
    code: MfaCode


class MfaTokenRequest(Request):
    mfa_token: MfaToken


class MfaEnrollConfirmRequest(Request):
    mfa_token: MfaToken
    code: Code


class TotpEnrollment(BaseModel):
    secret: str = Field(description="Base32 shared secret, shown once")
    otpauth_uri: str = Field(description="otpauth://totp/… for a QR code (SHA-1, 6 digits, 30 s)")


class TotpConfirmRequest(Request):
    code: Code


class RecoveryCodes(BaseModel):
    recovery_codes: list[str] = Field(description="10 single-use codes, shown once")


class EnrolledLogin(TokenResponse):
    recovery_codes: list[str]


class DisableMfaRequest(Request):
    current_password: Password
    code: MfaCode


class SessionView(BaseModel):
    id: str
    created_at: str | None
    last_used_at: str | None
    user_agent: str | None
    ip: str | None
    current: bool


class SessionPage(BaseModel):
    items: list[SessionView]
    next_cursor: str | None


class EmailChangeRequest(Request):
    new_email: Email
    current_password: Password


class EmailChangeResponse(BaseModel):
    status: Literal["pending_confirmation"]


class EmailChangeConfirmRequest(Request):
    code: Code
