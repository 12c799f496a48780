from aws_lambda_powertools.event_handler import Response

from comptasecure.domain import audit_log, mfa
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.http.device import device_of
from comptasecure.models.mfa_disable import DisableMfaRequest

router = api_router()


@router.delete("/me/mfa")
def disable_mfa(body: DisableMfaRequest) -> Response[None]:
    """Turn MFA off.

    Needs the current password and a TOTP or recovery code; refused while the account requires MFA. The
    caller's other sessions end, and an email tells the user MFA is off.
    """
    caller = current_caller(router)
    actor = audit_log.Actor(caller.user_id, caller.email)
    mfa.disable(caller.account_id, actor, caller.session_id, body.current_password, body.code, device_of(router))
    return Response(204)


handler = lambda_handler(router, requires=("secrets_key_id",))
