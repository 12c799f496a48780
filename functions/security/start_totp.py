from aws_lambda_powertools.event_handler import Response

from comptasecure.domain import audit_log, mfa
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.http.secrets import no_store
from comptasecure.models.totp import TotpEnrollment

router = api_router()


@router.post("/me/mfa/totp")
def start_totp() -> Response[TotpEnrollment]:
    """Start turning MFA on: a new TOTP secret.

    Gives the secret and its `otpauth://` URI (RFC 6238: SHA-1, 6 digits, 30 s) to show as a QR code;
    MFA is on only after POST /me/mfa/totp/confirm. Shown once: a new call replaces it.
    """
    caller = current_caller(router)
    enrollment = mfa.start_enrollment(caller.account_id, audit_log.Actor(caller.user_id, caller.email))
    return no_store(TotpEnrollment(secret=enrollment.secret, otpauth_uri=enrollment.otpauth_uri))


handler = lambda_handler(router, requires=("secrets_key_id",))
