from aws_lambda_powertools.event_handler import Response

from comptasecure.domain import audit_log, mfa
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.http.device import device_of
from comptasecure.http.secrets import no_store
from comptasecure.models.totp_confirmation import RecoveryCodes, TotpConfirmRequest

router = api_router()


@router.post("/me/mfa/totp/confirm")
def confirm_totp(body: TotpConfirmRequest) -> Response[RecoveryCodes]:
    """Turn MFA on with a first code of the authenticator app.

    Answers 10 single-use recovery codes, shown this once. The caller's other sessions end, and an email
    tells the user MFA is on.
    """
    caller = current_caller(router)
    actor = audit_log.Actor(caller.user_id, caller.email)
    return no_store(
        RecoveryCodes(
            recovery_codes=mfa.confirm_enrollment(
                caller.account_id, actor, body.code, caller.session_id, device_of(router)
            )
        )
    )


handler = lambda_handler(router, requires=("secrets_key_id",))
