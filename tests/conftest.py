"""Fixtures: moto's server on loopback, provisioned from template.yaml, and a client over our routes."""

import os
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from comptasecure import clock
from comptasecure.settings import settings
from local.emulator import Emulator
from local.server import LocalApi
from tests.cheap_hashing import hash_cheaply
from tests.helpers import Client, Member, add_member, owner_of_new_account

hash_cheaply()

# Every audit event the suite wrote, kept across the table resets between test modules.
AUDIT_LOG: list[dict[str, Any]] = []
_RUNNING: list[Emulator] = []


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    running = Emulator().start()
    _RUNNING.append(running)
    yield running
    running.stop()


@pytest.fixture(scope="module", autouse=True)
def fresh_table_per_module() -> Iterator[None]:
    """moto copies the whole table on every transaction: a table that grows all suite long makes
    each test slower than the last. Each module starts on an empty table (tests already use fresh
    accounts, so nothing depends on another module's data)."""
    yield
    if _RUNNING:
        AUDIT_LOG.extend(audit_events())
        _RUNNING[0].reset_tables()


def audit_events() -> list[dict[str, Any]]:
    """Every audit event in the table (a test-only Scan)."""
    import boto3
    from boto3.dynamodb.conditions import Attr

    table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
    events: list[dict[str, Any]] = []
    scan: dict[str, Any] = {"FilterExpression": Attr("kind").eq("audit")}
    while True:
        page = table.scan(**scan)
        events.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return events
        scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]


@pytest.fixture(scope="session")
def api(emulator: Emulator) -> LocalApi:
    return LocalApi(emulator)


@pytest.fixture
def client(api: LocalApi) -> Client:
    return Client(api)


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Change configuration for one test (e.g. a 1-second code validity), as the environment would."""

    def apply(**variables: Any) -> None:
        for name, value in variables.items():
            monkeypatch.setenv(name.upper(), str(value))
        settings.cache_clear()

    yield apply
    monkeypatch.undo()
    settings.cache_clear()


@pytest.fixture
def team(client: Client) -> dict[str, Member]:
    """An account with its owner (through the signup journey), an admin and a member (seeded), all logged in."""
    owner = owner_of_new_account(client)
    return {
        "owner": owner,
        "admin": add_member(client, owner.account_id, "admin"),
        "member": add_member(client, owner.account_id, "member"),
    }


@pytest.fixture
def shift_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[int], None]]:
    """Set the back end's clock (comptasecure.clock) this many seconds from real time: time passes
    without the test sleeping, so no test depends on the machine being idle.

    Backwards is what makes sense: PyJWT checks a token's times against real time, so a token issued
    by a clock in the past is an old token, exactly as if it had been issued then. Setting the clock
    back before an action makes that action as old as the test needs (an expired code or link).
    """
    offset = timedelta()
    real_now = clock.now

    def shifted() -> datetime:
        return real_now() + offset

    def set_offset(seconds: int) -> None:
        nonlocal offset
        offset = timedelta(seconds=seconds)

    monkeypatch.setattr(clock, "now", shifted)
    yield set_offset


@pytest.fixture
def table(emulator: Emulator) -> Any:
    import boto3

    return boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "last: run after every other test of the session")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("last") is not None)
