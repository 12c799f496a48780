"""The code resend worker: invoked asynchronously by POST /auth/resend-code with {email}, whatever the
email, so that the route's answer and time say nothing of it; only here is the email looked up."""

from aws_lambda_powertools.utilities.parser import BaseModel, event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from comptasecure.domain import identity
from comptasecure.observability import logger
from comptasecure.settings import require

require("state_machine_arn")


class ResendRequest(BaseModel):
    email: str


@logger.inject_lambda_context
@event_parser(model=ResendRequest)
def handler(event: ResendRequest, context: LambdaContext) -> None:
    identity.send_new_code(event.email)
