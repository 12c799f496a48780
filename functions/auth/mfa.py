from aws_lambda_powertools.event_handler import Response

from comptasecure.domain import mfa
from comptasecure.http import api_router, lambda_handler
from comptasecure.http.device import device_of
from comptasecure.http.secrets import no_store
from comptasecure.models.mfa_login import MfaLoginRequest
from comptasecure.models.tokens import TokenResponse

router = api_router()


@router.post("/auth/mfa")
def verify_mfa(body: MfaLoginRequest) -> Response[TokenResponse]:
    """Finish a login with a TOTP or recovery code.

    Takes the `mfa_token` of POST /auth/login (valid 5 minutes) and a code of the authenticator app or an
    unused recovery code; answers the tokens. A code is accepted once; 5 wrong codes in 15 minutes give
    429 (a new login buys no new guesses).
    """
    session = mfa.complete_login(body.mfa_token, body.code, device_of(router))
    return no_store(
        TokenResponse(
            access_token=session.access_token, refresh_token=session.refresh_token, expires_in=session.expires_in
        )
    )


handler = lambda_handler(router, public=True, requires=("secrets_key_id",))
