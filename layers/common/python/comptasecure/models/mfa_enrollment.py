"""Enrolment at login confirmed (POST /auth/mfa/enroll/confirm): the tokens and the recovery codes."""

from comptasecure.models import Request
from comptasecure.models.tokens import TokenResponse
from comptasecure.validation import Code, MfaToken


class MfaEnrollConfirmRequest(Request):
    mfa_token: MfaToken
    code: Code


class EnrolledLogin(TokenResponse):
    recovery_codes: list[str]
