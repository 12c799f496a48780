"""Every function has a realistic sample event in events/, and its handler accepts it."""

import json
from pathlib import Path
from typing import Any

import pytest

from local import template
from local.emulator import invoke

EVENTS = template.ROOT / "events"


def sample_for(function: template.Function) -> Path:
    return EVENTS / Path(function.code_uri).name / f"{function.handler.split('.')[0]}.json"


@pytest.mark.parametrize("function", template.functions().values(), ids=lambda f: f.logical_id)
def test_every_function_has_a_sample_event(function: template.Function) -> None:
    assert sample_for(function).is_file()


@pytest.mark.parametrize("route", template.routes(), ids=lambda r: f"{r.method} {r.path}")
def test_http_sample_events_get_a_contract_answer(emulator: Any, route: template.Route) -> None:
    event = json.loads(sample_for(route.function).read_text())
    assert event["routeKey"] == f"{route.method} {route.path}"
    response = invoke(route.function.logical_id, event)
    assert response["statusCode"] < 500, response
    if response["statusCode"] >= 400:
        assert set(json.loads(response["body"])["error"]) >= {"code", "message"}


def test_authorizer_sample_event_is_marked_unauthenticated(emulator: Any) -> None:
    # The sample's token is not one of ours: the route will answer 401 `invalid_token`.
    function = template.authorizer()
    verdict = invoke(function.logical_id, json.loads(sample_for(function).read_text()))
    assert verdict == {"isAuthorized": True, "context": {"authenticated": False, "reason": "invalid_token"}}


def test_cleanup_sample_event_runs(emulator: Any) -> None:
    function = template.functions()["CleanupFunction"]
    removed = invoke(function.logical_id, json.loads(sample_for(function).read_text()))
    assert set(removed) == {"code", "invitation"}
