"""Unit tests: the pure rules, without AWS. Nothing here starts moto or opens a socket."""

import os
from collections.abc import Iterator
from typing import Any

import pytest
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters import secrets as powertools_secrets
from aws_lambda_powertools.utilities.parameters.base import BaseProvider

from comptasecure.settings import settings

SIGNING_SECRET = "unit-tests-signing-secret-of-forty-eight-characters!"


class FixedSecrets(BaseProvider):
    """Powertools' secrets provider answering every name with one value: Secrets Manager, minus AWS."""

    def _get(self, name: str, **sdk_options: Any) -> str:
        return SIGNING_SECRET

    def _get_multiple(self, path: str, **sdk_options: Any) -> dict[str, str]:
        raise NotImplementedError(path)


@pytest.fixture
def signing_secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The configuration a function starts with (unless the suite's emulator already gave one), and a
    signing secret read without AWS."""
    for name, value in {
        "TABLE_NAME": "unit-tests",
        "JWT_SECRET_NAME": "unit-tests-signing-secret",
        "EMAIL_CONFIGURATION_SET": "unit-tests",
    }.items():
        if name not in os.environ:
            monkeypatch.setenv(name, value)
    # Where get_secret looks: the emulator, if this process runs one, swaps that mapping for its own.
    monkeypatch.setattr(powertools_secrets, "DEFAULT_PROVIDERS", {"secrets": FixedSecrets()})
    settings.cache_clear()
    assert parameters.get_secret(settings().jwt_secret_name) == SIGNING_SECRET
    yield SIGNING_SECRET
    settings.cache_clear()
