"""Opaque list cursors: the store's LastEvaluatedKey, signed so a client cannot forge or widen one."""

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel

from comptasecure.errors import InvalidCursor
from comptasecure.secrets import accepted_keys, signing_key

DEFAULT_LIMIT = 50
MAX_LIMIT = 100

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"How many items a page holds (1 to {MAX_LIMIT}).")]
Cursor = Annotated[
    str | None,
    Query(
        max_length=2048,
        description="Where the page starts: `next_cursor` of the previous page, as given (opaque, bound to the "
        "caller and the list). Omitted for the first page.",
    ),
]


def encode(last_key: dict[str, Any] | None, scope: str) -> str | None:
    """A cursor for the next page, bound to the caller's scope (its account): useless elsewhere."""
    if not last_key:
        return None
    payload = json.dumps(last_key, sort_keys=True, default=str).encode()
    tag = hmac.new(signing_key(), scope.encode() + b"|" + payload, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(tag + payload).decode().rstrip("=")


def decode(cursor: str | None, scope: str) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except ValueError as error:
        raise _invalid() from error
    tag, payload = raw[:16], raw[16:]
    expected = (hmac.new(key, scope.encode() + b"|" + payload, hashlib.sha256).digest()[:16] for key in accepted_keys())
    if not any(hmac.compare_digest(tag, signed) for signed in expected):
        raise _invalid()
    key: dict[str, Any] = json.loads(payload)
    return key


def page_of[Page: BaseModel](
    model: type[Page], scope: str, items: Sequence[Mapping[str, Any]], last_key: dict[str, Any] | None
) -> Page:
    """A list's page as API.md shapes it: its items, and the cursor of the next page (null after the last)."""
    return model.model_validate({"items": items, "next_cursor": encode(last_key, scope)})


def _invalid() -> InvalidCursor:
    return InvalidCursor()
