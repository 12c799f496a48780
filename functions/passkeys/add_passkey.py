from aws_lambda_powertools.event_handler import Response, content_types

from comptasecure.domain import audit_log, passkeys
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.http.device import device_of
from comptasecure.models.passkeys import PasskeyCreate, PasskeyView

router = api_router()


@router.post("/me/passkeys")
def add_passkey(body: PasskeyCreate) -> Response[PasskeyView]:
    """Add a passkey with the browser's new credential.

    The credential must answer the challenge of the caller's last POST /me/passkeys/options (5 minutes,
    once), from the front end's origin, with user verification. `name` defaults to the device it was
    created on. An email tells the user a passkey was added.
    """
    caller = current_caller(router)
    actor = audit_log.Actor(caller.user_id, caller.email)
    added = passkeys.register(caller.account_id, actor, body.credential, body.name, device_of(router))
    return Response(201, content_types.APPLICATION_JSON, PasskeyView.model_validate(added, from_attributes=True))


handler = lambda_handler(router)
