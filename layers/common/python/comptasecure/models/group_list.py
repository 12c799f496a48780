"""The account's groups, a page at a time."""

from pydantic import BaseModel


class GroupSummary(BaseModel):
    id: str
    name: str
    member_count: int


class GroupPage(BaseModel):
    items: list[GroupSummary]
    next_cursor: str | None
