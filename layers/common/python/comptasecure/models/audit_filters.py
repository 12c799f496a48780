"""Query parameters of the audit routes: time bounds in UTC, the actor, the action."""

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import AfterValidator, AwareDatetime, BeforeValidator


def _in_utc(moment: datetime) -> datetime:
    # 0001-01-01T00:00:00+14:00 is a valid time that UTC cannot hold: a bad filter, not a crash.
    try:
        return moment.astimezone(UTC)
    except OverflowError as error:
        raise ValueError("date hors de la plage représentable") from error


def _iso_8601(value: Any) -> Any:
    # pydantic would also read "0.5" as seconds since 1970: API.md's timestamps are ISO 8601 only.
    if not isinstance(value, str) or not re.match(r"\d{4}-\d{2}-\d{2}T", value):
        raise ValueError("date au format ISO 8601 attendue, par exemple 2026-11-28T08:00:00Z")
    return value


# A time filter is an ISO 8601 time that says its time zone (a local time is ambiguous) and fits in UTC.
UtcTime = Annotated[AwareDatetime, BeforeValidator(_iso_8601), AfterValidator(_in_utc)]
# The filters both audit routes take, as query parameters (API.md: ?from=&to=&actor_id=&action=).
Since = Annotated[
    UtcTime | None,
    Query(
        alias="from",
        description="Only events at or after this time: ISO 8601 with its time zone (2026-11-28T08:00:00Z).",
    ),
]
Until = Annotated[
    UtcTime | None,
    Query(alias="to", description="Only events before this time: ISO 8601 with its time zone; after `from`."),
]
ActorId = Annotated[
    str | None, Query(max_length=64, description="Only the events of this actor: a user's `id` (GET /users).")
]
Action = Annotated[
    str | None,
    Query(max_length=64, description="Only the events of this action, as events name it (`user.invited`)."),
]
