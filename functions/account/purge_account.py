"""The account purge worker: invoked asynchronously by DELETE /account with {account_id, stripe_customer_id}."""

from aws_lambda_powertools.utilities.parser import BaseModel, event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from comptasecure.domain import account_purge
from comptasecure.observability import logger
from comptasecure.settings import require

require("fec_bucket", "stripe_api_key_secret_name")


class PurgeRequest(BaseModel):
    account_id: str
    stripe_customer_id: str | None = None


@logger.inject_lambda_context
@event_parser(model=PurgeRequest)
def handler(event: PurgeRequest, context: LambdaContext) -> account_purge.Purged:
    return account_purge.purge(event.account_id, event.stripe_customer_id)
