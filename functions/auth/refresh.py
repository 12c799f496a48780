from aws_lambda_powertools.event_handler import Response

from comptasecure.domain import identity
from comptasecure.http import api_router, lambda_handler
from comptasecure.http.device import device_of
from comptasecure.http.secrets import no_store
from comptasecure.models.tokens import RefreshRequest, TokenResponse

router = api_router()


@router.post("/auth/refresh")
def refresh(body: RefreshRequest) -> Response[TokenResponse]:
    """Renew the tokens.

    Exchanges the refresh token for a new access token and a new refresh token: each refresh token is used
    once. Presenting one already used ends its session (it was stolen or replayed).
    """
    session = identity.refresh(body.refresh_token, device_of(router))
    return no_store(
        TokenResponse(
            access_token=session.access_token, refresh_token=session.refresh_token, expires_in=session.expires_in
        )
    )


handler = lambda_handler(router, public=True)
