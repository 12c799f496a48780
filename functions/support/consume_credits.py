"""The analysis service consumes credits for one analysis (R-BIL-3). Invoked with IAM only; no route leads here.

Every outcome is a result, never a crash: ``{"status": "consumed", ...}`` (the same on every retry of
the analysis id) or ``{"status": "refused", "error": {"code", "message", "field"}}``.
"""

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from comptasecure.domain import credits
from comptasecure.errors import DomainError
from comptasecure.http.errors import from_domain, from_validation
from comptasecure.models.credit_changes import CreditConsumption
from comptasecure.observability import logger
from comptasecure.settings import require

require()


@logger.inject_lambda_context(clear_state=True)
def handler(event: Any, context: LambdaContext) -> dict[str, Any]:
    try:
        request = CreditConsumption.model_validate(event)
        logger.append_keys(account_id=request.account_id, analysis_id=request.analysis_id)
        consumption = credits.consume(request.account_id, request.credit_type, request.amount, request.analysis_id)
    except ValidationError as error:
        return _refused(from_validation(RequestValidationError(error.errors())))
    except DomainError as error:
        logger.info("credit consumption refused", extra={"code": error.code})
        return _refused(from_domain(error))
    return {"status": "consumed", **consumption}


def _refused(answer: Response[Any]) -> dict[str, Any]:
    """The error body API.md gives HTTP callers (code, French message, field), as this function's result."""
    return {"status": "refused", **(answer.body or {})}
