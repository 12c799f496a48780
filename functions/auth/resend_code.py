from aws_lambda_powertools.event_handler import Response, content_types

from comptasecure.domain import identity
from comptasecure.http import api_router, lambda_handler
from comptasecure.models.code_resend import EmailRequest

router = api_router()


@router.post("/auth/resend-code")
def resend_code(body: EmailRequest) -> Response[None]:
    identity.resend_code(body.email)
    return Response(202, content_types.APPLICATION_JSON, None)


handler = lambda_handler(router, public=True, requires=("code_resend_function",))
