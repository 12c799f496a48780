from comptasecure.domain import identity
from comptasecure.domain.membership import UserStatus
from comptasecure.http import api_router, lambda_handler
from comptasecure.models.confirmation import ConfirmRequest, StatusResponse
from comptasecure.observability import count

router = api_router()


@router.post("/auth/confirm")
def confirm(body: ConfirmRequest) -> StatusResponse:
    identity.confirm(body.email, body.code)
    count("SignupConfirmations")
    return StatusResponse(status=UserStatus.ACTIVE)


handler = lambda_handler(router, public=True)
