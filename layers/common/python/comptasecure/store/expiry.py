"""The expiry index: finds what has expired by a Query on its kind, never by scanning the table."""

from collections.abc import Iterator
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from comptasecure import aws
from comptasecure.store import keys


def expired(kind: str, now: str) -> Iterator[dict[str, Any]]:
    """Keys of the items of this kind whose expiry is before now, page after page."""
    query: dict[str, Any] = {
        "IndexName": keys.EXPIRY_INDEX,
        "KeyConditionExpression": Key("expiry_kind").eq(kind) & Key("expires_at").lt(now),
    }
    while True:
        response = aws.table().query(**query)
        yield from response.get("Items", [])
        if "LastEvaluatedKey" not in response:
            return
        query["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def delete_if_expired(item_key: dict[str, Any], now: str) -> bool:
    """Delete only if still expired: a code replaced since the index was read survives."""
    try:
        aws.table().delete_item(
            Key={"PK": item_key["PK"], "SK": item_key["SK"]},
            ConditionExpression="expires_at < :now",
            ExpressionAttributeValues={":now": now},
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True
