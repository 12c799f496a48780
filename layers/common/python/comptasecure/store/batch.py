"""Reading many items of one partition at once (BatchGetItem, retried until nothing is left unprocessed)."""

from typing import Any

from comptasecure import aws

MAX_BATCH_GET = 100


def get_many(item_keys: list[dict[str, str]], *, consistent: bool = False) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    name = aws.table().name
    for start in range(0, len(item_keys), MAX_BATCH_GET):
        request: dict[str, Any] = {
            name: {"Keys": item_keys[start : start + MAX_BATCH_GET], "ConsistentRead": consistent}
        }
        while request:
            response = aws.dynamodb_client().batch_get_item(RequestItems=request)
            found.extend(response["Responses"].get(name, []))
            request = response.get("UnprocessedKeys") or {}
    return found
