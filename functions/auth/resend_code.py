from aws_lambda_powertools.event_handler import Response, content_types

from comptasecure.domain import identity
from comptasecure.http import api_router, lambda_handler
from comptasecure.models.code_resend import EmailRequest

router = api_router()


@router.post("/auth/resend-code")
def resend_code(body: EmailRequest) -> Response[None]:
    """Send a new confirmation code.

    Emails a new code to a user pending confirmation, withdrawing the previous one (at most 5 codes an
    hour). Always 202, whether or not the email has an account waiting for a code.
    """
    identity.resend_code(body.email)
    return Response(202, content_types.APPLICATION_JSON, None)


handler = lambda_handler(router, public=True)
