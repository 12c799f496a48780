"""Errors the identity domain must not swallow or leak: workflow answers, catalogue gaps."""

from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from comptasecure import aws
from comptasecure.domain import workflow
from comptasecure.domain.catalogue import AccountType, Catalogue
from comptasecure.errors import CatalogueIncomplete, UnknownAccountType
from tests.helpers import Client, code_in, signup, wait_for_email


def test_answering_a_task_that_has_ended_is_ignored(client: Client, emulator: Any) -> None:
    email, _ = signup(client)
    code_in(wait_for_email(email))
    ended = "AAAA-a-token-no-execution-waits-on"
    workflow.resume(ended, {"confirmed": True})
    workflow.withdraw(ended, "Superseded")


@pytest.mark.parametrize("code", ["ThrottlingException", "AccessDeniedException"])
def test_any_other_workflow_error_is_raised(emulator: Any, code: str) -> None:
    with Stubber(aws.sfn()) as stub:
        stub.add_client_error("send_task_success", service_error_code=code)
        stub.add_client_error("send_task_failure", service_error_code=code)
        with pytest.raises(ClientError):
            workflow.resume("a-token", {"confirmed": True})
        with pytest.raises(ClientError):
            workflow.withdraw("a-token", "Superseded")


def test_catalogue_gaps_are_typed_domain_errors() -> None:
    only_support = Catalogue(types=[AccountType(id="x", label="X", obtained_by="support", limits={})])
    with pytest.raises(UnknownAccountType) as unknown:
        only_support.get("freemium")
    assert (unknown.value.status, unknown.value.field) == (422, "type_id")
    with pytest.raises(CatalogueIncomplete) as incomplete:
        only_support.obtained_by("signup")
    assert incomplete.value.status == 503


def test_support_setting_an_unknown_type_is_a_422(client: Client) -> None:
    from comptasecure.domain import accounts

    with pytest.raises(UnknownAccountType):
        accounts.set_type("any-account", "no-such-type", "test")
