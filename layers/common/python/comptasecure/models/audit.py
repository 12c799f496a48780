"""The audit trail as the owner and admins read it."""

from datetime import datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel


class AuditEvent(BaseModel):
    id: str
    at: str
    actor_id: str
    actor_email: str | None
    action: str
    target_type: str
    target_id: str
    details: dict[str, Any]


class AuditPage(BaseModel):
    items: list[AuditEvent]
    next_cursor: str | None


# The filters both audit routes take, as query parameters (API.md: ?from=&to=&actor_id=&action=).
Since = Annotated[datetime | None, Query(alias="from")]
Until = Annotated[datetime | None, Query(alias="to")]
ActorId = Annotated[str | None, Query(max_length=64)]
Action = Annotated[str | None, Query(max_length=64)]
