"""Workflow task (callback): email a fresh code; the execution waits until the code is redeemed."""

from aws_lambda_powertools.utilities.parser import BaseModel, event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from comptasecure.domain import identity
from comptasecure.observability import logger
from comptasecure.settings import require

require()


class SendCodeTask(BaseModel):
    account_id: str
    user_id: str
    purpose: str
    task_token: str
    execution_arn: str


@logger.inject_lambda_context
@event_parser(model=SendCodeTask)
def handler(event: SendCodeTask, context: LambdaContext) -> dict[str, str]:
    expires_at = identity.send_code(
        event.account_id, event.user_id, event.purpose, event.task_token, event.execution_arn
    )
    return {"expires_at": expires_at}
