"""Time in one place: UTC, ISO 8601 with a trailing Z as API.md requires."""

from datetime import UTC, datetime, timedelta


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def later(seconds: int) -> datetime:
    return now() + timedelta(seconds=seconds)


def from_epoch(seconds: int | float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
