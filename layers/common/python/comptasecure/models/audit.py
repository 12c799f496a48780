"""The audit trail as the owner and admins read it."""

from typing import Any

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
