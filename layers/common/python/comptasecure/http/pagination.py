"""Opaque list cursors (API.md "Lists"): the page's LastEvaluatedKey as URL-safe base64 JSON.

Opaque to the front end, not trusted by the back end: the store checks a decoded key belongs to
the caller's partition before using it.
"""

import base64
import binascii
import json
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query

from comptasecure.errors import InvalidCursor

DEFAULT_LIMIT = 50
MAX_LIMIT = 100

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size (default 50, max 100).")]
Cursor = Annotated[str | None, Query(max_length=2048, description="next_cursor of the previous page.")]


def encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    raw = json.dumps(last_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError) as error:
        raise InvalidCursor() from error
    if not isinstance(decoded, dict) or not all(isinstance(value, str) for value in decoded.values()):
        raise InvalidCursor()
    return decoded
