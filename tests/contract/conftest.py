"""The contract tests speak to the local run as the e2e tests do: the same fixture, started once."""

from tests.e2e.conftest import local_run

__all__ = ["local_run"]
