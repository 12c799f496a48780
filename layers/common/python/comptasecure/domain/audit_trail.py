"""Reading the audit trail (owner and admins): filtered pages, newest first, and a CSV for Excel."""

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from comptasecure import clock
from comptasecure.errors import InvalidInput
from comptasecure.http import pagination
from comptasecure.store import audit as audit_store

EVENT_FIELDS = ("id", "at", "actor_id", "actor_email", "action", "target_type", "target_id", "details")
CSV_HEADER = ("date", "acteur_id", "acteur_email", "action", "cible_type", "cible_id", "details")
EXPORT_PAGE = 100
EXPORT_MAX_EVENTS = 50_000


@dataclass(frozen=True)
class Filters:
    since: datetime | None = None
    until: datetime | None = None
    actor_id: str | None = None
    action: str | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise InvalidInput("La date de début doit précéder la date de fin.", field="from", code="invalid_range")


def page(account_id: str, filters: Filters, limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """One Query on the account's time-ordered audit keys; filters on actor and action narrow it."""
    items, last_key = audit_store.page(
        account_id,
        since=clock.iso(filters.since) if filters.since else None,
        until=clock.iso(filters.until) if filters.until else None,
        actor_id=filters.actor_id,
        action=filters.action,
        limit=limit,
        start_key=pagination.decode(cursor, account_id),
    )
    return [{name: item.get(name) for name in EVENT_FIELDS} for item in items], pagination.encode(last_key, account_id)


def export_csv(account_id: str, filters: Filters) -> str:
    """UTF-8 with BOM, ';' separated, as French Excel opens it; cells cannot be read as formulas."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for event in _all_events(account_id, filters):
        writer.writerow(
            _safe(value)
            for value in (
                event["at"],
                event["actor_id"],
                event["actor_email"] or "",
                event["action"],
                event["target_type"],
                event["target_id"],
                json.dumps(event["details"] or {}, ensure_ascii=False, default=str),
            )
        )
    return out.getvalue()


def _all_events(account_id: str, filters: Filters) -> Iterator[dict[str, Any]]:
    cursor: str | None = None
    sent = 0
    while sent < EXPORT_MAX_EVENTS:
        events, cursor = page(account_id, filters, EXPORT_PAGE, cursor)
        yield from events
        sent += len(events)
        if cursor is None:
            return


def _safe(value: Any) -> str:
    text = str(value)
    # A cell starting with = + - @ would run as a formula in Excel (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
