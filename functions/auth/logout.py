from aws_lambda_powertools.event_handler import Response

from comptasecure.domain import identity
from comptasecure.http import api_router, lambda_handler
from comptasecure.models.tokens import RefreshRequest

router = api_router()


@router.post("/auth/logout")
def logout(body: RefreshRequest) -> Response[None]:
    identity.logout(body.refresh_token)
    return Response(204)


handler = lambda_handler(router, public=True)
