from aws_lambda_powertools.event_handler import Response

from comptasecure.domain import audit_log, passkeys
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.http.device import device_of
from comptasecure.http.params import PasskeyId
from comptasecure.models.passkeys import PasskeyRemoval

router = api_router()


@router.delete("/me/passkeys/<passkey_id>")
def remove_passkey(passkey_id: PasskeyId, body: PasskeyRemoval) -> Response[None]:
    """Remove one of the caller's passkeys.

    Needs the current password (5 wrong ones in 15 minutes give 429, counted with the other changes that
    ask it). The passkey no longer logs in; an email tells the user it was removed.
    """
    caller = current_caller(router)
    actor = audit_log.Actor(caller.user_id, caller.email)
    passkeys.remove(caller.account_id, actor, passkey_id, body.current_password, device_of(router))
    return Response(204)


handler = lambda_handler(router)
