"""Turning MFA off: the password and a current code."""

from comptasecure.models import Request
from comptasecure.validation import MfaCode, Password


class DisableMfaRequest(Request):
    current_password: Password
    code: MfaCode
