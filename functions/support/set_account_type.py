"""Support operation (SPEC R-ACC-5): set an account's type. Invoked with IAM only; no route leads here."""

from typing import Any

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from comptasecure.domain import accounts
from comptasecure.models.account_types import SetAccountTypeEvent
from comptasecure.observability import logger
from comptasecure.settings import require

require()


@logger.inject_lambda_context
@event_parser(model=SetAccountTypeEvent)
def handler(event: SetAccountTypeEvent, context: LambdaContext) -> dict[str, Any]:
    return accounts.set_type(event.account_id, event.type_id, event.reason)
