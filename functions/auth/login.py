from aws_lambda_powertools.event_handler import Response

from comptasecure.domain import identity
from comptasecure.http import api_router, lambda_handler
from comptasecure.http.device import device_of
from comptasecure.http.secrets import no_store
from comptasecure.models.login import LoginRequest, MfaChallengeResponse, challenge_response
from comptasecure.models.tokens import TokenResponse

router = api_router()


@router.post("/auth/login")
def login(body: LoginRequest) -> Response[TokenResponse | MfaChallengeResponse]:
    session = identity.login(body.email, body.password, device_of(router))
    if not isinstance(session, identity.Session):  # MFA: a second step before any token
        return no_store(challenge_response(session))
    return no_store(
        TokenResponse(
            access_token=session.access_token, refresh_token=session.refresh_token, expires_in=session.expires_in
        )
    )


handler = lambda_handler(router, public=True)
