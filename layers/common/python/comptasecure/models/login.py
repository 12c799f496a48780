"""Logging in: the tokens, or the MFA challenge to answer first."""

from typing import Literal

from pydantic import BaseModel, Field

from comptasecure.domain.mfa_challenge import VERIFY, Challenge
from comptasecure.models import Request
from comptasecure.validation import Email, Password


class LoginRequest(Request):
    email: Email
    password: Password


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
