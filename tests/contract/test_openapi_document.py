"""The committed OpenAPI document says what API.md says, for every route (no local run needed)."""

import json
from typing import Any

import pytest

from local import template
from local.template import ROOT

DOCUMENT: dict[str, Any] = json.loads((ROOT / "openapi.json").read_text())
ROUTES = {(route.method, route.path): route for route in template.routes()}
OPERATIONS = [
    (method.upper(), path, operation) for path, item in DOCUMENT["paths"].items() for method, operation in item.items()
]
ERROR = {"$ref": "#/components/schemas/Error"}


def ids(value: Any) -> str:
    return f"{value[0]} {value[1]}"


@pytest.mark.parametrize("operation", OPERATIONS, ids=ids)
def test_every_error_answer_is_apis_error_body(operation: tuple[str, str, dict[str, Any]]) -> None:
    _, _, body = operation
    errors = {status: answer for status, answer in body["responses"].items() if int(status) >= 400}
    assert errors
    for answer in errors.values():
        assert answer["content"]["application/json"]["schema"] == ERROR
        assert answer["content"]["application/json"]["examples"]


@pytest.mark.parametrize("operation", OPERATIONS, ids=ids)
def test_bearer_on_every_non_public_route_and_none_on_public_ones(operation: tuple[str, str, dict[str, Any]]) -> None:
    method, path, body = operation
    if ROUTES[(method, path)].public:
        assert body["security"] == []
    else:
        assert body["security"] == [{"bearer": []}]
        assert "401" in body["responses"]


@pytest.mark.parametrize("operation", OPERATIONS, ids=ids)
def test_every_route_has_a_request_and_response_example(operation: tuple[str, str, dict[str, Any]]) -> None:
    _, _, body = operation
    for media in body.get("requestBody", {}).get("content", {}).values():
        assert media.get("example") is not None
    successes = [answer for status, answer in body["responses"].items() if int(status) < 300]
    assert successes
    for answer in successes:
        for media in answer.get("content", {}).values():
            assert media.get("example") is not None or media.get("examples")


def test_statuses_of_api_md_are_documented() -> None:
    def statuses(method: str, path: str) -> set[str]:
        return set(DOCUMENT["paths"][path][method]["responses"])

    assert {"201", "409", "422", "415"} <= statuses("post", "/auth/signup")
    assert {"207", "403", "413"} <= statuses("post", "/users/import")
    assert {"207", "403"} <= statuses("post", "/users")
    assert {"410"} <= statuses("post", "/invitations/accept")
    assert {"401", "403", "429"} <= statuses("post", "/auth/login")
    assert {"204", "404", "403"} <= statuses("delete", "/groups/{group_id}")
    assert {"200", "202"} <= statuses("get", "/audit/export")


def test_csv_routes_are_declared_csv() -> None:
    paths = DOCUMENT["paths"]
    assert list(paths["/users/import-template"]["get"]["responses"]["200"]["content"]) == ["text/csv"]
    assert list(paths["/audit/export"]["get"]["responses"]["200"]["content"]) == ["text/csv"]
    assert list(paths["/audit/export"]["get"]["responses"]["202"]["content"]) == ["application/json"]
    assert list(paths["/users/import"]["post"]["requestBody"]["content"]) == ["text/csv"]
