"""Fixtures: moto's server on loopback, provisioned from template.yaml, and a client over our routes."""

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from comptasecure.settings import settings
from local.emulator import Emulator
from local.server import LocalApi
from tests.helpers import Client


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    running = Emulator().start()
    yield running
    running.stop()


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
def table(emulator: Emulator) -> Any:
    import boto3

    return boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "last: run after every other test of the session")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("last") is not None)
