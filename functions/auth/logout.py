from aws_lambda_powertools.event_handler import Response

from comptasecure.domain import identity
from comptasecure.http import api_router, lambda_handler
from comptasecure.models.tokens import RefreshRequest

router = api_router()


@router.post("/auth/logout")
def logout(body: RefreshRequest) -> Response[None]:
    """Log out: end the session of this refresh token.

    The session's tokens stop working at once. Always 204, even for a token that is unknown or already
    ended.
    """
    identity.logout(body.refresh_token)
    return Response(204)


handler = lambda_handler(router, public=True)
