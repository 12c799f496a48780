from aws_lambda_powertools.event_handler import Response, content_types

from comptasecure.domain import identity
from comptasecure.http import api_router, lambda_handler
from comptasecure.models.identity import SignupRequest, SignupResponse
from comptasecure.observability import count

router = api_router()


@router.post("/auth/signup")
def signup(body: SignupRequest) -> Response[SignupResponse]:
    """Sign up: open an account and its owner.

    Creates a Freemium account and its owner, pending confirmation, and emails the owner a 6-digit code
    (valid 2 hours by default) to enter with POST /auth/confirm; no token until then. The password must
    have 12 to 128 characters and not be a common one. At most 5 codes are sent to an email per hour.
    """
    created = identity.signup(identity.Signup(**body.model_dump()))
    count("SignUps")
    return Response(201, content_types.APPLICATION_JSON, SignupResponse.model_validate(created, from_attributes=True))


handler = lambda_handler(router, public=True)
