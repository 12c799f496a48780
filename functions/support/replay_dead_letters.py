"""Support operation: re-run what reached the dead-letter queues (README "Operate"). Invoked with IAM only.

Answers, per queue, how many messages were re-run and deleted, failed again (kept), or of no known kind.
"""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from comptasecure import dead_letters
from comptasecure.observability import logger
from comptasecure.settings import require, settings

require("dead_letter_queues")


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, dead_letters.QueueReplay]:
    queues = settings().dead_letter_queues.split(",")
    return dead_letters.replay(queues, lambda: context.get_remaining_time_in_millis() / 1000)
