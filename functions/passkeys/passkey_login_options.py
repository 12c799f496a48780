from comptasecure.domain import passkeys
from comptasecure.http import api_router, lambda_handler
from comptasecure.models.passkeys import RequestOptions

router = api_router()


@router.post("/auth/passkey/options")
def passkey_login_options() -> RequestOptions:
    """Start a passkey login: the WebAuthn request options and their challenge's id.

    No `allowCredentials`: the browser offers the passkeys it holds for the front end's host (discoverable
    credentials), so nobody has to type an email. The challenge is valid 5 minutes, for one
    POST /auth/passkey.
    """
    started = passkeys.login_options()
    return RequestOptions(challenge_id=started.challenge_id, options=started.options)


handler = lambda_handler(router, public=True)
