"""Support grants credits to an account (R-ACC-5). Invoked by support tooling, never through the API."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from comptasecure.domain import audit_log, credits
from comptasecure.models.credit_changes import CreditGrant
from comptasecure.observability import logger
from comptasecure.settings import require

require()


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> credits.Balance:
    grant = CreditGrant.model_validate(event)
    balance = credits.grant_now(grant.account_id, audit_log.SUPPORT, grant.type, grant.amount, grant.reason)
    logger.info("credits granted by support", extra={"account_id": grant.account_id, "type": grant.type})
    return balance
