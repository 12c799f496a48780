"""The audit export worker: invoked asynchronously by GET /audit/export, with {account_id, export_id}."""

from aws_lambda_powertools.utilities.parser import BaseModel, event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from comptasecure.domain import audit_search
from comptasecure.observability import logger
from comptasecure.settings import require

require("fec_bucket")


class ExportRequest(BaseModel):
    account_id: str
    export_id: str


@logger.inject_lambda_context
@event_parser(model=ExportRequest)
def handler(event: ExportRequest, context: LambdaContext) -> audit_search.ExportCount:
    return audit_search.write_export(event.account_id, event.export_id)
