"""Scheduled (EventBridge Scheduler): remove expired codes and invitation links."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from comptasecure.domain import cleanup
from comptasecure.observability import logger
from comptasecure.settings import require

require()


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    removed = cleanup.purge_expired()
    logger.info("expired items removed", extra=removed)
    return removed
