from comptasecure.domain import passkeys
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.models.passkeys import CreationOptions

router = api_router()


@router.post("/me/passkeys/options")
def passkey_options() -> CreationOptions:
    """Start adding a passkey: the WebAuthn creation options.

    A discoverable credential (resident key) with user verification, for the relying party of the front
    end's host; the caller's passkeys are excluded. Its challenge is valid 5 minutes, for this user's
    POST /me/passkeys only.
    """
    caller = current_caller(router)
    return CreationOptions(options=passkeys.registration_options(caller.account_id, caller.user_id))


handler = lambda_handler(router)
