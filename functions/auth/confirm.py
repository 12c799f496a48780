from comptasecure.domain import identity
from comptasecure.domain.membership import UserStatus
from comptasecure.http import api_router, lambda_handler
from comptasecure.models.confirmation import ConfirmRequest, StatusResponse
from comptasecure.observability import count

router = api_router()


@router.post("/auth/confirm")
def confirm(body: ConfirmRequest) -> StatusResponse:
    """Confirm a signup or an invitation with the emailed code.

    Activates the user: POST /auth/login then works. Each code allows 5 tries, an email 10 a day whatever
    the codes (then 429); an unknown email answers as a wrong code, so the route says nothing of which
    emails have an account.
    """
    identity.confirm(body.email, body.code)
    count("SignupConfirmations")
    return StatusResponse(status=UserStatus.ACTIVE)


handler = lambda_handler(router, public=True)
