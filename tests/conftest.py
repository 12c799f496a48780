"""Fixtures: moto's server on loopback, provisioned from template.yaml, and a client over our routes.

The suite runs in several processes (pytest-xdist): each has its own emulator on free ports and
records its AWS calls in a log of its own, which `make pytest` joins for scripts/check_iam.py.
"""

import json
import os
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from xdist.scheduler import LoadFileScheduling

from comptasecure import clock
from comptasecure.domain.audit_log import SECRET_FIELDS
from comptasecure.settings import settings
from local.emulator import Emulator
from local.server import LocalApi
from tests.cheap_hashing import hash_cheaply
from tests.helpers import PASSWORD, Client, Member, add_member, keep_deaths_quiet, owner_of_new_account

hash_cheaply()

UNIT = Path(__file__).parent / "unit"
# Modules that share one worker, so that it alone starts their local run (and, for the browser, Chromium).
SHARED_SCOPES = ("tests/e2e/", "tests/browser/")


def _one_iam_log_per_process() -> None:
    """Each xdist worker appends to its own file beside the one `make pytest` names: one writer a file."""
    worker, log = os.environ.get("PYTEST_XDIST_WORKER"), os.environ.get("IAM_CALLS_LOG")
    if worker and log:
        os.environ["IAM_CALLS_LOG"] = str(Path(log).with_name(f"{Path(log).stem}.{worker}{Path(log).suffix}"))


_one_iam_log_per_process()

# Every audit event this process's tests wrote, kept across the table resets between test modules.
AUDIT_LOG: list[dict[str, Any]] = []
_RUNNING: list[Emulator] = []


@pytest.fixture(scope="session", autouse=True)
def no_audit_event_holds_a_secret() -> Iterator[None]:
    """After this process's last test, every audit event its tests wrote is checked: no secret field,
    never the suite's password. Each worker checks its own, so together they check the whole suite."""
    yield
    text = json.dumps(AUDIT_LOG, default=str)
    leaked = [name for name in sorted(SECRET_FIELDS) if f'"{name}"' in text]
    assert not leaked, f"audit events hold secret fields: {leaked}"
    assert PASSWORD not in text, "an audit event holds a password"


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
        _RUNNING[0].empty_queues()


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


@pytest.fixture(scope="session")
def table(emulator: Emulator) -> Any:
    import boto3

    return boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "last: run after every other test of its process")
    # After pytest's own thread exception hook is in place, so that it still reports every other error.
    keep_deaths_quiet()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Unit tests first (before any emulator has work in flight), tests marked last at the end."""
    items.sort(key=lambda item: (not item.path.is_relative_to(UNIT), item.get_closest_marker("last") is not None))


class ModulesWholeE2eTogether(LoadFileScheduling):
    """Under xdist, a module's tests run together, in order, on one worker, as they would alone; the
    e2e modules share one worker, so that it alone starts their local run, and the browser modules
    another (one local run, one Chromium)."""

    def _split_scope(self, nodeid: str) -> str:
        shared = [scope for scope in SHARED_SCOPES if nodeid.startswith(scope)]
        return shared[0] if shared else super()._split_scope(nodeid)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> ModulesWholeE2eTogether:
    return ModulesWholeE2eTogether(config, log)
