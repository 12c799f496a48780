"""Reading many items at once with BatchGetItem, including the keys DynamoDB leaves unprocessed.

DynamoDB may answer only part of a batch (throttling, the 16 MB response limit) and return the rest
as ``UnprocessedKeys``: those are asked again after an exponential backoff with full jitter, as AWS
advises, so that a throttled table is given time instead of being hammered, and so that a partial
answer is never mistaken for missing items (the authorizer would turn it into a 401).
"""

import random
import time
from typing import Any

from comptasecure import aws

MAX_BATCH_GET = 100
MAX_ATTEMPTS = 6
BASE_DELAY_SECONDS = 0.05
MAX_DELAY_SECONDS = 1.0


class BatchIncomplete(RuntimeError):
    """DynamoDB still had unprocessed keys after every retry: a server-side failure, not absent items."""


def get_many(item_keys: list[dict[str, str]], *, consistent: bool = False) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    name = aws.table().name
    for start in range(0, len(item_keys), MAX_BATCH_GET):
        request: dict[str, Any] = {
            name: {"Keys": item_keys[start : start + MAX_BATCH_GET], "ConsistentRead": consistent}
        }
        for attempt in range(MAX_ATTEMPTS):
            if attempt:
                time.sleep(backoff(attempt))
            response = aws.dynamodb_client().batch_get_item(RequestItems=request)
            found.extend(response["Responses"].get(name, []))
            request = response.get("UnprocessedKeys") or {}
            if not request:
                break
        else:
            raise BatchIncomplete(f"{len(request[name]['Keys'])} keys still unprocessed after {MAX_ATTEMPTS} attempts")
    return found


def backoff(attempt: int) -> float:
    """Seconds to wait before retry ``attempt`` (1, 2, …): uniform in [0, min(cap, base * 2^attempt)]."""
    return random.uniform(0, min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2**attempt))
