"""DynamoDB Stream (outbox items only, by the mapping's filter): carry out what each change owes.

Each record is one outbox item; a record that fails is reported alone (``ReportBatchItemFailures``),
so the mapping delivers again from it, with its bounded retries, bisection and on-failure queue.
"""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from comptasecure.domain import dispatch
from comptasecure.observability import logger
from comptasecure.settings import require

require("state_machine_arn", "account_purge_function", "audit_export_function")

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def carry_out(record: DynamoDBRecord) -> None:
    keys = record.dynamodb.keys if record.dynamodb else {}
    dispatch.carry_out(str(keys["PK"]), str(keys["SK"]))


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=carry_out, processor=processor, context=context)
