from aws_lambda_powertools.event_handler import Response

from comptasecure.domain import mfa
from comptasecure.http import api_router, lambda_handler
from comptasecure.http.secrets import no_store
from comptasecure.models.mfa_login import MfaTokenRequest
from comptasecure.models.totp import TotpEnrollment

router = api_router()


@router.post("/auth/mfa/enroll")
def enroll_at_login(body: MfaTokenRequest) -> Response[TotpEnrollment]:
    """Start the MFA enrollment a login asked for.

    With the `mfa_token` of a login answered `mfa_enrollment_required` (the account requires MFA), gives a
    new TOTP secret and its `otpauth://` URI to show as a QR code; confirm with POST /auth/mfa/enroll/confirm.
    """
    enrollment = mfa.start_enrollment_at_login(body.mfa_token)
    return no_store(TotpEnrollment(secret=enrollment.secret, otpauth_uri=enrollment.otpauth_uri))


handler = lambda_handler(router, public=True, requires=("secrets_key_id",))
