"""Reading the audit trail (owner and admins): filtered pages, newest first, and a CSV for Excel.

An export small enough is answered at once. One that would not fit the platform's limits (HTTP
API: 29 s and a 6 MB response) becomes asynchronous: the route reads within a bounded budget of
bytes and time, and when it runs out it records an export item and hands the work to the export
worker, which streams the CSV to the private bucket; the status route then gives a presigned link.
"""

import csv
import io
import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypedDict

from comptasecure import clock
from comptasecure.domain import follow_ups
from comptasecure.errors import ExportNotFound, InvalidRange
from comptasecure.observability import count, logger
from comptasecure.settings import settings
from comptasecure.store import audit as audit_store
from comptasecure.store import bucket
from comptasecure.store.audit import AuditEvent, ExportFilters, ExportStatus
from comptasecure.store.conditions import ConditionFailed
from comptasecure.store.pages import StartKey
from comptasecure.store.transaction import Transaction

CSV_HEADER = ("date", "acteur_id", "acteur_email", "action", "cible_type", "cible_id", "details")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
EXPORT_FILE_NAME = "journal-audit.csv"
BOM = "\ufeff"


@dataclass(frozen=True)
class Filters:
    since: datetime | None = None
    until: datetime | None = None
    actor_id: str | None = None
    action: str | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise InvalidRange()

    def stored(self) -> ExportFilters:
        return {
            "from": clock.iso(self.since) if self.since else None,
            "to": clock.iso(self.until) if self.until else None,
            "actor_id": self.actor_id,
            "action": self.action,
        }

    @classmethod
    def from_stored(cls, stored: ExportFilters) -> "Filters":
        since, until = stored.get("from"), stored.get("to")
        return cls(
            clock.parse(since) if since else None,
            clock.parse(until) if until else None,
            stored.get("actor_id"),
            stored.get("action"),
        )


@dataclass(frozen=True)
class Export:
    """Either the whole CSV (it fitted the budget) or the id of the asynchronous export now running."""

    csv: str | None = None
    export_id: str | None = None


class ExportCount(TypedDict):
    rows: int
    pages: int


@dataclass(frozen=True)
class ExportState:
    status: ExportStatus
    download_url: str | None = None
    expires_at: str | None = None


def page(
    account_id: str, filters: Filters, limit: int, start_key: StartKey | None
) -> tuple[list[AuditEvent], StartKey | None]:
    """One Query on the account's time-ordered audit keys after ``start_key``; filters on actor and
    action narrow it."""
    return _query(account_id, filters, limit, start_key)


def export(account_id: str, requested_by: str, filters: Filters) -> Export:
    """The CSV at once when it fits the response and time budget, else an asynchronous export.

    The decision reads at most the budget plus one DynamoDB page (1 MB), never counts the events.
    """
    config = settings()
    deadline = time.monotonic() + config.audit_export_sync_seconds
    lines = [BOM + _csv_line(CSV_HEADER)]
    # What the response weighs once JSON-escaped into Lambda's proxy answer (quotes, CR/LF, accents).
    size = _escaped_size(lines[0])
    start_key: StartKey | None = None
    while True:
        events, start_key = _query(account_id, filters, None, start_key)
        for event in events:
            line = _csv_line(_row(event))
            lines.append(line)
            size += _escaped_size(line)
        if size > config.audit_export_sync_bytes:
            break
        if start_key is None:
            count("AuditExports", delivery="inline")
            return Export(csv="".join(lines))
        if time.monotonic() > deadline:
            break
    return Export(export_id=_start_async(account_id, requested_by, filters))


def write_export(account_id: str, export_id: str) -> ExportCount:
    """The export worker: the whole filtered trail as a CSV streamed to the bucket, then ``ready``.

    A failure aborts the upload and raises, so Lambda runs the worker again (twice at most); a
    retried invocation of an export already ended does nothing. One that never ends is reported
    ``failed`` once past the deadline recorded at its start.
    """
    job = audit_store.get_export(account_id, export_id)
    if job is None or job["status"] != "running":
        return {"rows": 0, "pages": 0}
    filters = Filters.from_stored(job["filters"])
    rows = pages = 0
    with bucket.streamed_upload(job["object_key"], CSV_CONTENT_TYPE) as upload:
        upload.write((BOM + _csv_line(CSV_HEADER)).encode())
        start_key: StartKey | None = None
        while True:
            events, start_key = _query(account_id, filters, None, start_key)
            pages += 1
            rows += len(events)
            upload.write("".join(_csv_line(_row(event)) for event in events).encode())
            if start_key is None:
                break
    try:
        audit_store.mark_ready(account_id, export_id, rows=rows, pages=pages, ended_at=clock.iso(clock.now()))
    except ConditionFailed:
        # A concurrent run of the same export ended it first: its object is the same CSV.
        logger.info("audit export already ended", extra={"account_id": account_id, "export_id": export_id})
    logger.info("audit export ready", extra={"account_id": account_id, "export_id": export_id, "rows": rows})
    count("AuditExports", delivery="file")
    return {"rows": rows, "pages": pages}


def export_state(account_id: str, export_id: str) -> ExportState:
    """Where an export of this account stands; another account's id is not found."""
    job = audit_store.get_export(account_id, export_id)
    now = clock.now()
    if job is None or clock.parse(job["expires_at"]) <= now:
        raise ExportNotFound()
    if job["status"] == "ready":
        seconds = min(settings().audit_export_link_seconds, int((clock.parse(job["expires_at"]) - now).total_seconds()))
        url = bucket.download_url(job["object_key"], seconds, EXPORT_FILE_NAME)
        return ExportState("ready", url, clock.iso(now + timedelta(seconds=seconds)))
    # A worker that died without a word (timeout, crash after Lambda's retries) leaves "running":
    # past the worker's longest possible run, the export has failed.
    if job["status"] == "running" and clock.parse(job["deadline_at"]) <= now:
        return ExportState("failed")
    return ExportState("failed" if job["status"] == "failed" else "running")


def _start_async(account_id: str, requested_by: str, filters: Filters) -> str:
    config = settings()
    export_id = uuid.uuid4().hex
    now = clock.now()
    expires = now + timedelta(days=config.audit_export_retention_days)
    tx = Transaction()
    audit_store.put_export(
        tx,
        account_id,
        {
            "id": export_id,
            "status": "running",
            "requested_by": requested_by,
            "filters": filters.stored(),
            "object_key": f"{bucket.export_prefix(account_id)}{export_id}.csv",
            "created_at": clock.iso(now),
            # Lambda's first run and its two retries, each up to the worker's timeout, with their delays.
            "deadline_at": clock.iso(now + timedelta(seconds=3 * config.audit_export_worker_seconds + 180)),
            "expires_at": clock.iso(expires),
        },
        clock.epoch(expires),
    )
    follow_ups.export_audit(tx, account_id, export_id)
    tx.commit()
    logger.info("audit export queued", extra={"account_id": account_id, "export_id": export_id})
    return export_id


def _query(
    account_id: str, filters: Filters, limit: int | None, start_key: StartKey | None
) -> tuple[list[AuditEvent], StartKey | None]:
    return audit_store.page(
        account_id,
        since=clock.iso(filters.since) if filters.since else None,
        until=clock.iso(filters.until) if filters.until else None,
        actor_id=filters.actor_id,
        action=filters.action,
        limit=limit,
        start_key=start_key,
    )


def _row(event: AuditEvent) -> tuple[str, ...]:
    return (
        event["at"],
        event["actor_id"],
        event["actor_email"] or "",
        event["action"],
        event["target_type"],
        event["target_id"],
        json.dumps(event["details"] or {}, ensure_ascii=False, default=str),
    )


def _csv_line(values: tuple[str, ...]) -> str:
    """One CSV record, UTF-8, ';' separated, as French Excel opens it; cells cannot run as formulas."""
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerow(_safe(value) for value in values)
    return out.getvalue()


def _escaped_size(text: str) -> int:
    return len(json.dumps(text)) - 2


def _safe(value: Any) -> str:
    text = str(value)
    # A cell starting with = + - @ would run as a formula in Excel (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
