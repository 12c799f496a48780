"""Secrets Manager's rotation of the token-signing secret (its RotationSchedule): one step per invocation."""

from aws_lambda_powertools.utilities.parser import BaseModel, Field, event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from comptasecure.domain import signing_secret
from comptasecure.observability import logger
from comptasecure.settings import require

require()


class RotationStep(BaseModel):
    step: str = Field(alias="Step")
    secret_id: str = Field(alias="SecretId")
    token: str = Field(alias="ClientRequestToken")


@logger.inject_lambda_context
@event_parser(model=RotationStep)
def handler(event: RotationStep, context: LambdaContext) -> None:
    signing_secret.rotate(event.step, event.secret_id, event.token)
    logger.info("signing secret rotation step done", extra={"step": event.step})
