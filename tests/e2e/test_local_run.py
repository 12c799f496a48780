"""A front end's first journey, over HTTP against the local run, following API.md to the letter."""

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from local.template import ROOT
from tests.e2e.conftest import REQUEST_TIMEOUT_SECONDS, Http
from tests.helpers import PASSWORD, unique_email

PAGE = "http://localhost:5173"  # the front end's dev server (Vite)


def send(
    local_run: Http, method: str, path: str, headers: dict[str, str] | None = None, body: Any = None
) -> tuple[int, dict[str, str], Any]:
    """One request on its own connection: (status, headers, JSON body or None)."""
    url = urlsplit(local_run.base)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=60)
    try:
        data = json.dumps(body).encode() if body is not None else None
        connection.request(method, path, body=data, headers=headers or {})
        response = connection.getresponse()
        raw = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, json.loads(raw) if raw else None
    finally:
        connection.close()


def test_signup_confirm_login_and_read_the_account(local_run: Http) -> None:
    email = unique_email("e2e")
    status, created = local_run.call(
        "POST",
        "/auth/signup",
        {
            "email": email,
            "password": PASSWORD,
            "first_name": "Élodie",
            "last_name": "Rousseau",
            "company_name": "Cabinet Rousseau & Associés",
        },
    )
    assert status == 201
    assert created["status"] == "pending_confirmation"

    [message] = local_run.emails(email)
    assert set(message) >= {"to", "subject", "text", "html", "sent_at"}
    code = re.search(r"\b(\d{6})\b", message["text"]).group(1)  # type: ignore[union-attr]
    assert local_run.call("POST", "/auth/confirm", {"email": email, "code": code}) == (200, {"status": "active"})

    status, tokens = local_run.call("POST", "/auth/login", {"email": email, "password": PASSWORD})
    assert status == 200
    token = tokens["access_token"]
    status, account = local_run.call("GET", "/account", token=token)
    assert status == 200
    assert account["name"] == "Cabinet Rousseau & Associés"
    assert account["owner_id"] == created["user_id"]
    status, types = local_run.call("GET", "/account-types", token=token)
    assert status == 200
    assert {item["id"] for item in types["items"]} >= {"freemium", "premium", "expert_comptable"}
    status, me = local_run.call("GET", "/me", token=token)
    assert (status, me["first_name"]) == (200, "Élodie")


def test_protected_routes_answer_401_without_a_token(local_run: Http) -> None:
    status, body = local_run.call("GET", "/account-types")
    assert status == 401
    assert body["error"]["code"] == "unauthorized"


def test_unknown_route_is_404_with_the_api_error_body(local_run: Http) -> None:
    status, body = local_run.call("GET", "/nowhere")
    assert status == 404
    assert body["error"]["code"] == "not_found"


def test_a_page_on_localhost_5173_preflights_then_calls(local_run: Http) -> None:
    preflight = {
        "Origin": PAGE,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    status, headers, _ = send(local_run, "OPTIONS", "/auth/login", preflight)
    assert status == 204
    assert headers["access-control-allow-origin"] == PAGE
    assert "POST" in headers["access-control-allow-methods"]
    login = {"email": unique_email("cors"), "password": PASSWORD}
    status, headers, body = send(
        local_run, "POST", "/auth/login", {"Origin": PAGE, "Content-Type": "application/json"}, login
    )
    assert status == 401
    assert body["error"]["code"] == "invalid_credentials"
    assert headers["access-control-allow-origin"] == PAGE


def test_a_page_of_another_origin_gets_no_cors_header(local_run: Http) -> None:
    preflight = {"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    status, headers, _ = send(local_run, "OPTIONS", "/account", preflight)
    assert status == 204
    assert "access-control-allow-origin" not in headers


def test_fifty_concurrent_clients_are_all_answered(local_run: Http) -> None:
    # The kernel completes a handshake at once while the listen backlog has room, however busy the
    # server is; beyond it the SYN is dropped and retried a second later (or reset by impatient
    # clients). So each of the 50 connects well within a second, then waits as long as it takes.
    clients = 50
    url = urlsplit(local_run.base)
    start = threading.Barrier(clients)
    statuses: list[int] = []

    def client() -> None:
        connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=0.9)
        start.wait()
        connection.connect()
        assert connection.sock is not None
        connection.sock.settimeout(60)
        connection.request("GET", "/account-types")
        response = connection.getresponse()
        response.read()
        connection.close()
        statuses.append(response.status)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [401] * clients


def test_trace_and_unknown_methods_answer_json_not_html(local_run: Http) -> None:
    for method in ("TRACE", "PROPFIND", "CONNECT"):
        status, headers, body = send(local_run, method, "/account")
        assert status == 404, method
        assert headers["content-type"] == "application/json"
        assert body["error"]["code"] == "not_found"


def test_a_body_over_10_mb_is_refused_before_it_is_sent(local_run: Http) -> None:
    url = urlsplit(local_run.base)
    with socket.create_connection((url.hostname, url.port), timeout=REQUEST_TIMEOUT_SECONDS) as connection:
        # Only the headers: the local run answers from the announced length, as API Gateway does.
        connection.sendall(
            b"POST /auth/signup HTTP/1.1\r\nHost: local\r\nContent-Type: application/json\r\n"
            b"Content-Length: 10485761\r\n\r\n"
        )
        answer = connection.makefile("rb").read()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413")
    assert json.loads(body) == {"message": "Request Entity Too Large"}


def test_a_request_http_server_cannot_read_is_answered_in_json(local_run: Http) -> None:
    url = urlsplit(local_run.base)
    with socket.create_connection((url.hostname, url.port), timeout=REQUEST_TIMEOUT_SECONDS) as connection:
        connection.sendall(b"GET /account HTTP/1.1\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n")
        answer = connection.makefile("rb").read()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split()[1] == b"431"
    assert json.loads(body)["error"]["code"] == "request_header_fields_too_large"


def test_local_config_and_the_banner_tell_a_front_end_where_everything_is(local_run: Http) -> None:
    status, config = local_run.call("GET", "/_local/config")
    assert status == 200
    stripe_api = f"http://127.0.0.1:{local_run.stripe_port}"  # STRIPE_PORT fixes the emulator's port
    assert config == {
        "api_url": local_run.base,
        "docs_url": local_run.base + "/docs",
        "emails_url": local_run.base + "/_local/emails",
        "aws_endpoint_url": config["aws_endpoint_url"],
        "stripe_api_url": stripe_api,
        "stripe_js_url": stripe_api + "/js.stripe.com/v3/",
        "stripe_publishable_key": "pk_test_localstripe",
    }
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", config["aws_endpoint_url"])
    for value in config.values():
        assert value in local_run.banner
    assert f"-m local.support --endpoint {config['aws_endpoint_url']} grant-credits" in local_run.banner
    assert "Data lives in memory only" in local_run.banner and "Ctrl-C stops." in local_run.banner
    with urllib.request.urlopen(config["stripe_js_url"], timeout=REQUEST_TIMEOUT_SECONDS) as script:
        assert script.headers["Content-Type"].startswith("application/javascript")
        assert b"stripe.confirmSetup = " in script.read()


def run_with_taken(variable: str, *options: str) -> subprocess.CompletedProcess[str]:
    """`python -m local` (what make run runs) while the port named by ``variable`` is held by another."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        environment = {**os.environ, "PORT": "0", "STRIPE_PORT": "0", variable: str(port)}
        return subprocess.run(
            [sys.executable, *options, "-m", "local"],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )


def test_a_taken_port_is_one_line_naming_it_before_any_emulator_starts() -> None:
    for variable in ("PORT", "STRIPE_PORT"):
        refused = run_with_taken(variable)
        assert refused.returncode == 1
        assert refused.stdout == ""
        [line] = refused.stderr.splitlines()
        assert line.startswith(f"{variable} ") and "is already in use" in line and "make run" in line
        # Nothing of the emulators was even imported: the line came before them.
        imported = run_with_taken(variable, "-X", "importtime").stderr
        assert "moto" not in imported and "localstripe" not in imported and "aiohttp" not in imported
