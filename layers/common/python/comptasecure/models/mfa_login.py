"""A login's MFA challenge answered (POST /auth/mfa), or enrolment started (POST /auth/mfa/enroll)."""

from comptasecure.models import Request
from comptasecure.validation import MfaCode, MfaToken


class MfaLoginRequest(Request):
    mfa_token: MfaToken
    code: MfaCode


class MfaTokenRequest(Request):
    mfa_token: MfaToken
