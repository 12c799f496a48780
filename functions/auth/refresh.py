from aws_lambda_powertools.event_handler import Response, content_types

from comptasecure.domain import identity, tokens
from comptasecure.http import api_router, lambda_handler
from comptasecure.models.identity import RefreshRequest, TokenResponse

router = api_router()


@router.post("/auth/refresh")
def refresh(body: RefreshRequest) -> Response[TokenResponse]:
    session = identity.refresh(body.refresh_token)
    answer = TokenResponse(
        access_token=session.access_token, refresh_token=session.refresh_token, expires_in=session.expires_in
    )
    return Response(200, content_types.APPLICATION_JSON, answer, headers=tokens.NO_STORE_HEADERS)


handler = lambda_handler(router, public=True)
