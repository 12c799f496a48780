from aws_lambda_powertools.event_handler import Response

from comptasecure.domain import mfa
from comptasecure.http import api_router, lambda_handler
from comptasecure.http.device import device_of
from comptasecure.http.secrets import no_store
from comptasecure.models.mfa_enrollment import EnrolledLogin, MfaEnrollConfirmRequest

router = api_router()


@router.post("/auth/mfa/enroll/confirm")
def confirm_enrollment_at_login(body: MfaEnrollConfirmRequest) -> Response[EnrolledLogin]:
    """Confirm the MFA enrollment and log in.

    Takes a first code of the authenticator app: turns MFA on, answers the tokens and 10 single-use
    recovery codes, shown this once.
    """
    enrolled = mfa.confirm_enrollment_at_login(body.mfa_token, body.code, device_of(router))
    session = enrolled.session
    return no_store(
        EnrolledLogin(
            access_token=session.access_token,
            refresh_token=session.refresh_token,
            expires_in=session.expires_in,
            recovery_codes=enrolled.recovery_codes,
        )
    )


handler = lambda_handler(router, public=True, requires=("secrets_key_id",))
