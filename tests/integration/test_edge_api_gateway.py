"""What API Gateway does in front of the functions, reproduced by the local run: CORS, limits, unknown routes.

The front end's page is served from another origin (http://localhost:5173 in development), so the
browser preflights every call; API Gateway's quotas answer before or instead of a function.
"""

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from local import server, template
from local.server import LocalApi
from tests.helpers import PASSWORD, Client, signup_confirmed

PAGE = "http://localhost:5173"
APP = "https://app.comptasecure.fr"  # the template's AppBaseUrl (locally, PAGE: API.md "Local run only")


def preflight(api: LocalApi, origin: str, method: str, headers: str = "authorization,content-type") -> Any:
    request = {"origin": origin, "access-control-request-method": method, "access-control-request-headers": headers}
    return api.handle("OPTIONS", "/account", request, b"")


@pytest.fixture(scope="module")
def owner(api: LocalApi) -> dict[str, Any]:
    email, tokens = signup_confirmed(Client(api))
    return {"email": email, "token": tokens["access_token"]}


# ------------------------------------------------------------------ CORS
@pytest.mark.parametrize("origin", [PAGE, "http://127.0.0.1:3001", "http://localhost"])
def test_the_preflight_of_an_allowed_origin_is_answered(api: LocalApi, origin: str) -> None:
    status, headers, body = preflight(api, origin, "PATCH")
    assert (status, body) == (204, b"")
    assert headers["Access-Control-Allow-Origin"] == origin
    assert "PATCH" in headers["Access-Control-Allow-Methods"].split(",")
    assert {"authorization", "content-type"} <= set(headers["Access-Control-Allow-Headers"].split(","))
    assert int(headers["Access-Control-Max-Age"]) > 0


def test_a_page_on_localhost_calls_a_route_after_its_preflight(api: LocalApi, owner: dict[str, Any]) -> None:
    assert preflight(api, PAGE, "GET")[0] == 204
    page = Client(api, owner["token"], headers={"origin": PAGE})
    reply = page.get("/account")
    assert reply.status == 200
    assert reply.headers["Access-Control-Allow-Origin"] == PAGE
    assert reply.headers["Vary"] == "Origin"


def test_errors_carry_the_cors_headers_too_so_the_page_can_read_them(api: LocalApi) -> None:
    reply = Client(api, headers={"origin": PAGE}).get("/account")
    assert reply.status == 401
    assert reply.headers["Access-Control-Allow-Origin"] == PAGE


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example", "http://localhost.evil.example", "http://localhost:5173.evil.example", "null", APP + ".x"],
)
def test_another_origin_gets_no_cors_header(api: LocalApi, owner: dict[str, Any], origin: str) -> None:
    status, headers, _ = preflight(api, origin, "GET")
    assert status == 204
    assert not any(name.lower().startswith("access-control-") for name in headers)
    reply = Client(api, owner["token"], headers={"origin": origin}).get("/account")
    assert reply.status == 200
    assert not any(name.lower().startswith("access-control-") for name in reply.headers)


@pytest.mark.parametrize(("method", "headers"), [("TRACE", "content-type"), ("GET", "x-forwarded-host")])
def test_a_method_or_header_the_api_does_not_allow_is_not_preflighted(api: LocalApi, method: str, headers: str) -> None:
    assert "Access-Control-Allow-Origin" not in preflight(api, PAGE, method, headers)[1]


def test_the_fec_bucket_accepts_the_browser_upload(api: LocalApi, owner: dict[str, Any]) -> None:
    fec = Client(api, owner["token"]).post("/fecs", {"file_name": "732829320FEC20251231.txt"}).body
    options = urllib.request.Request(
        fec["upload_url"],
        method="OPTIONS",
        headers={
            "Origin": PAGE,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    with urllib.request.urlopen(options) as answer:
        assert answer.headers["Access-Control-Allow-Origin"] == PAGE
        assert "PUT" in answer.headers["Access-Control-Allow-Methods"]
    upload = urllib.request.Request(
        fec["upload_url"], data=b"JournalCode|JournalLib\n", method="PUT", headers={"Origin": PAGE}
    )
    with urllib.request.urlopen(upload) as answer:
        assert answer.status == 200
        assert answer.headers["Access-Control-Allow-Origin"] == PAGE


def test_the_template_allows_the_front_end_origin_on_the_api_and_the_bucket() -> None:
    [api] = template.resources("AWS::Serverless::HttpApi").values()
    cors = api["Properties"]["CorsConfiguration"]
    assert cors["AllowOrigins"] == [{"Ref": "AppBaseUrl"}]
    assert {"GET", "POST", "PUT", "PATCH", "DELETE"} <= set(cors["AllowMethods"])
    [rule] = template.resources("AWS::S3::Bucket")["FecBucket"]["Properties"]["CorsConfiguration"]["CorsRules"]
    assert (rule["AllowedOrigins"], rule["AllowedMethods"]) == ([{"Ref": "AppBaseUrl"}], ["PUT"])


# ------------------------------------------------------------------ limits
def test_no_function_behind_the_api_may_outlive_its_30_second_timeout() -> None:
    default = template.load()["Globals"]["Function"]["Timeout"]
    behind_the_api = {route.function.logical_id for route in template.routes()} | {template.authorizer().logical_id}
    functions = template.resources("AWS::Serverless::Function")
    timeouts = {name: functions[name]["Properties"].get("Timeout", default) for name in behind_the_api}
    assert {name: seconds for name, seconds in timeouts.items() if seconds > 29} == {}


def test_past_the_integration_timeout_api_gateway_answers_503(
    client: Client, owner: dict[str, Any], configure: Callable[..., None]
) -> None:
    # A login hashes a password (argon2id): far longer than a millisecond, with no sleep anywhere.
    configure(local_integration_timeout_seconds=0.001)
    reply = client.post("/auth/login", {"email": owner["email"], "password": PASSWORD})
    assert (reply.status, reply.body) == (503, {"message": "Service Unavailable"})


def test_within_the_integration_timeout_the_function_answers(client: Client, owner: dict[str, Any]) -> None:
    assert client.post("/auth/login", {"email": owner["email"], "password": PASSWORD}).status == 200


def test_a_request_body_over_10_mb_is_413_and_reaches_no_function(client: Client) -> None:
    reply = client.post("/auth/signup", raw=b" " * (server.MAX_REQUEST_BYTES + 1))
    assert (reply.status, reply.body) == (413, {"message": "Request Entity Too Large"})


def test_a_body_lambda_takes_reaches_the_function(client: Client) -> None:
    # The event API Gateway builds (headers, context, the body) must fit Lambda's 6 MB request payload.
    reply = client.post("/auth/signup", raw=b'{"email": "a@b.fr"}'.ljust(server.MAX_INVOCATION_BYTES - 4096))
    assert reply.status == 422  # the function's own answer: the body is valid JSON, the fields missing


@pytest.mark.parametrize("size", [server.MAX_INVOCATION_BYTES, server.MAX_REQUEST_BYTES])
def test_a_body_between_6_and_10_mb_is_refused_by_lambda_as_api_gateway_answers_it(client: Client, size: int) -> None:
    # API Gateway takes it (under 10 MB), Lambda refuses the invocation: no function runs.
    reply = client.post("/auth/signup", raw=b'{"email": "a@b.fr"}'.ljust(size))
    assert (reply.status, reply.body) == (413, {"message": "Request Too Long"})


def test_a_function_answer_over_6_mb_is_a_500(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    # No route answers 6 MB today (large exports go asynchronous); a function returning one stands in.
    huge = {"statusCode": 200, "headers": {}, "body": json.dumps({"items": ["x" * 1000] * 6300})}
    monkeypatch.setattr(server, "invoke", lambda logical_id, event: huge)
    reply = client.post("/auth/login", {"email": "a@b.fr", "password": PASSWORD})
    assert (reply.status, reply.body) == (500, {"message": "Internal Server Error"})


@pytest.mark.filterwarnings(
    "ignore::pytest.PytestUnhandledThreadExceptionWarning"
)  # the crash, printed as Lambda logs it
def test_a_function_that_raises_is_a_500_as_lambda_reports_it(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(logical_id: str, event: dict[str, Any]) -> Any:
        raise RuntimeError("the function crashed")

    monkeypatch.setattr(server, "invoke", crash)
    reply = client.post("/auth/login", {"email": "a@b.fr", "password": PASSWORD})
    assert (reply.status, reply.body) == (500, {"message": "Internal Server Error"})


# ------------------------------------------------------------------ unknown routes
@pytest.mark.parametrize(("method", "path"), [("GET", "/nowhere"), ("TRACE", "/account"), ("PROPFIND", "/users")])
def test_unknown_paths_and_methods_answer_the_api_error_body(client: Client, method: str, path: str) -> None:
    reply = client.call(method, path)
    assert reply.status == 404
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.error["code"] == "not_found"
    assert reply.error["message"]
