from aws_lambda_powertools.event_handler import Response, content_types

from comptasecure.domain import identity
from comptasecure.http import api_router, lambda_handler
from comptasecure.models.identity import SignupRequest, SignupResponse
from comptasecure.observability import count

router = api_router()


@router.post("/auth/signup")
def signup(body: SignupRequest) -> Response[SignupResponse]:
    created = identity.signup(identity.Signup(**body.model_dump()))
    count("SignUps")
    return Response(201, content_types.APPLICATION_JSON, SignupResponse.model_validate(created, from_attributes=True))


handler = lambda_handler(router, public=True, requires=("state_machine_arn",))
