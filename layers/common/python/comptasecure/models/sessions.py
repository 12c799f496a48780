"""A user's sessions (API.md "Account security")."""

from pydantic import BaseModel


class SessionView(BaseModel):
    id: str
    created_at: str | None
    last_used_at: str | None
    user_agent: str | None
    ip: str | None
    current: bool


class SessionPage(BaseModel):
    items: list[SessionView]
    next_cursor: str | None
