from aws_lambda_powertools.event_handler import Response

from comptasecure.domain import passkeys
from comptasecure.http import api_router, lambda_handler
from comptasecure.http.device import device_of
from comptasecure.http.secrets import no_store
from comptasecure.models.passkeys import PasskeyLogin
from comptasecure.models.tokens import TokenResponse

router = api_router()


@router.post("/auth/passkey")
def passkey_login(body: PasskeyLogin) -> Response[TokenResponse]:
    """Log in with a passkey.

    Takes the `challenge_id` of POST /auth/passkey/options and the browser's assertion; answers the tokens
    as POST /auth/login does. A passkey verifies the user and cannot be phished: it counts as MFA (no code
    asked, and it satisfies an account that requires MFA). Any failure is one 401 `invalid_credentials`,
    whether or not the credential exists; a user not confirmed or disabled gets 403.
    """
    session = passkeys.login(body.challenge_id, body.credential, device_of(router))
    return no_store(
        TokenResponse(
            access_token=session.access_token, refresh_token=session.refresh_token, expires_in=session.expires_in
        )
    )


handler = lambda_handler(router, public=True)
