"""The public /auth/mfa routes: answering a login's MFA challenge, or enrolling when the account requires MFA."""

from typing import Annotated

from pydantic import StringConstraints

from comptasecure.models import Request
from comptasecure.models.tokens import TokenResponse
from comptasecure.validation import Code, MfaCode

MfaToken = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2048)]


class MfaLoginRequest(Request):
    mfa_token: MfaToken
    code: MfaCode


class MfaTokenRequest(Request):
    mfa_token: MfaToken


class MfaEnrollConfirmRequest(Request):
    mfa_token: MfaToken
    code: Code


class EnrolledLogin(TokenResponse):
    recovery_codes: list[str]
