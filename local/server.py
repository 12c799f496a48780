"""The local API: every HttpApi route of template.yaml on 127.0.0.1, as API Gateway would serve it.

API Gateway's behaviour is reproduced, so that what passes here passes there: the CORS configuration
of the template (preflight answered, headers added for an allowed origin), the 10 MB request quota,
Lambda's 6 MB request and response limits and the 30 s integration timeout.
"""

import argparse
import base64
import json
import os
import re
import socket
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import boto3

from local import docs, emails, ports, stripe, template
from local.config import LocalConfig
from local.emulator import ACCOUNT, Emulator, invoke

if TYPE_CHECKING:
    from mypy_boto3_s3.type_defs import CORSRuleTypeDef

TEXT_TYPES = ("application/json", "text/", "application/x-www-form-urlencoded")

Answer = tuple[int, dict[str, str], bytes]

# API Gateway's and Lambda's quotas (HTTP API payload 10 MB; Lambda's synchronous invocation payload is
# 6 MB each way: Lambda refuses a request "larger than 6291456 bytes for the InvokeFunction operation",
# the whole event API Gateway builds, and counts 6,291,556 bytes for a response); the integration
# timeout is overridable so that a test can cross it with a real handler instead of a sleep.
MAX_REQUEST_BYTES = 10 * 1024 * 1024
MAX_INVOCATION_BYTES = 6_291_456
MAX_RESPONSE_BYTES = 6_291_556
INTEGRATION_TIMEOUT_SECONDS = 30.0
# What API Gateway itself answers (its own bodies, not API.md's: no function ran, and an HTTP API has
# no gateway responses to reshape them).
PAYLOAD_TOO_LARGE = (413, {"message": "Request Entity Too Large"})
# Lambda refused the invocation's payload (RequestEntityTooLargeException): API Gateway's answer as
# captured on AWS (413, x-amzn-errortype BadRequestException; koki-develop/lgtm-generator issue 10).
INVOCATION_TOO_LARGE = (413, {"message": "Request Too Long"})
SERVICE_UNAVAILABLE = (503, {"message": "Service Unavailable"})
INTERNAL_SERVER_ERROR = (500, {"message": "Internal Server Error"})
FORBIDDEN = (403, {"message": "Forbidden"})
# Locally the front end's dev server may run on any port of the loopback (Vite's 5173, 3001…).
LOCAL_ORIGINS = re.compile(r"http://(localhost|127\.0\.0\.1)(:\d{1,5})?")


def integration_timeout() -> float:
    return float(os.environ.get("LOCAL_INTEGRATION_TIMEOUT_SECONDS", INTEGRATION_TIMEOUT_SECONDS))


@dataclass(frozen=True)
class Cors:
    """The HttpApi's CorsConfiguration, applied as API Gateway applies it."""

    origins: frozenset[str]
    methods: frozenset[str]
    headers: frozenset[str]
    exposed: frozenset[str]
    max_age: int

    @classmethod
    def from_template(cls, emulator: Emulator) -> "Cors":
        api = next(iter(template.resources("AWS::Serverless::HttpApi").values()))
        config = api["Properties"]["CorsConfiguration"]
        return cls(
            origins=frozenset(emulator.resolve(origin) for origin in config["AllowOrigins"]),
            methods=frozenset(method.upper() for method in config["AllowMethods"]),
            headers=frozenset(header.lower() for header in config["AllowHeaders"]),
            exposed=frozenset(header.lower() for header in config.get("ExposeHeaders", [])),
            max_age=int(config["MaxAge"]),
        )

    def allows(self, origin: str | None) -> bool:
        return origin is not None and (origin in self.origins or bool(LOCAL_ORIGINS.fullmatch(origin)))

    def preflight(self, headers: dict[str, str]) -> dict[str, str]:
        """The preflight's headers: none unless origin, method and every requested header are allowed."""
        origin = headers.get("origin")
        method = headers.get("access-control-request-method", "").upper()
        listed = headers.get("access-control-request-headers", "").split(",")
        requested = {header.strip().lower() for header in listed} - {""}
        if not self.allows(origin) or method not in self.methods or not requested <= self.headers:
            return {}
        return {
            **self.answer(origin),
            "Access-Control-Allow-Methods": ",".join(sorted(self.methods)),
            "Access-Control-Allow-Headers": ",".join(sorted(self.headers)),
            "Access-Control-Max-Age": str(self.max_age),
        }

    def answer(self, origin: str | None) -> dict[str, str]:
        """The headers added to any other answer (the function's own CORS headers are ignored)."""
        if not self.allows(origin):
            return {}
        exposed = {"Access-Control-Expose-Headers": ",".join(sorted(self.exposed))} if self.exposed else {}
        return {"Access-Control-Allow-Origin": str(origin), "Vary": "Origin", **exposed}


class LocalApi:
    def __init__(self, emulator: Emulator, config: LocalConfig | None = None):
        """``config``: what GET /_local/config answers (the local run's URLs; the tests' in-process API has none)."""
        self.emulator = emulator
        self.config = config
        self.routes = template.routes()
        self.authorizer = template.authorizer()
        self.cors = Cors.from_template(emulator)
        allow_fec_uploads_from_local_pages(emulator)

    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Answer:
        """One request, as API Gateway answers it; headers are lower-case."""
        if method == "OPTIONS" and "access-control-request-method" in headers:
            return 204, self.cors.preflight(headers), b""
        status, out_headers, data = self._route(method, raw_path, headers, body)
        # With a CORS configuration, API Gateway ignores the CORS headers a function returns.
        own = {name: value for name, value in out_headers.items() if not name.lower().startswith("access-control-")}
        return status, {**own, **self.cors.answer(headers.get("origin"))}, data

    def _route(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Answer:
        url = urlsplit(raw_path)
        if (page := docs.serve(method, url.path)) is not None:
            return page
        if method == "GET" and url.path == "/_local/emails":
            to = parse_qs(url.query).get("to", [None])[0]
            return _json(200, {"items": emails.sent(to)})
        if method == "GET" and url.path == "/_local/config" and self.config:
            return _json(200, self.config.as_json())
        if len(body) > MAX_REQUEST_BYTES:
            return _json(*PAYLOAD_TOO_LARGE)
        allowed = [(route, match) for route in self.routes if (match := route.pattern.match(url.path))]
        allowed = [(route, match) for route, match in allowed if route.method == method]
        if not allowed:
            return not_found()
        # A literal path (/users/import) wins over a parameter (/users/{id}), as in API Gateway.
        route, match = min(allowed, key=lambda pair: pair[0].path.count("{"))
        event = self._event(route, url.path, url.query, headers, body, match.groupdict())
        if not route.public:
            verdict = invoke(self.authorizer.logical_id, self._authorizer_event(event))
            if not verdict.get("isAuthorized"):
                return _json(*FORBIDDEN)
            event["requestContext"]["authorizer"] = {"lambda": verdict.get("context", {})}
        return self._integrate(route.function.logical_id, event)

    def _integrate(self, logical_id: str, event: dict[str, Any]) -> Answer:
        """Invoke the function as API Gateway does: Lambda takes an event of 6 MB at most, API Gateway
        waits 30 s at most, and Lambda's answer is 6 MB at most."""
        if len(json.dumps(event, ensure_ascii=False).encode()) > MAX_INVOCATION_BYTES:
            return _json(*INVOCATION_TOO_LARGE)
        outcome: dict[str, Any] = {}
        # An exception ends the thread without a response (threading prints it, as Lambda logs it): a 500.
        worker = threading.Thread(
            target=lambda: outcome.update(response=invoke(logical_id, event)), daemon=True, name=logical_id
        )
        worker.start()
        worker.join(integration_timeout())
        if worker.is_alive():
            # The function runs on, as a Lambda does after API Gateway gave up; the client has its answer.
            return _json(*SERVICE_UNAVAILABLE)
        response = outcome.get("response")
        if not isinstance(response, dict) or len(json.dumps(response)) > MAX_RESPONSE_BYTES:
            return _json(*INTERNAL_SERVER_ERROR)
        payload = response.get("body") or ""
        data = base64.b64decode(payload) if response.get("isBase64Encoded") else payload.encode()
        out_headers = {key: str(value) for key, value in (response.get("headers") or {}).items()}
        for name, values in (response.get("multiValueHeaders") or {}).items():
            out_headers[name] = ", ".join(values)
        return int(response.get("statusCode", 200)), out_headers, data

    def _event(
        self,
        route: template.Route,
        path: str,
        query: str,
        headers: dict[str, str],
        body: bytes,
        path_parameters: dict[str, str],
    ) -> dict[str, Any]:
        now = datetime.now(UTC)
        content_type = headers.get("content-type", "")
        is_text = not body or (any(content_type.startswith(kind) for kind in TEXT_TYPES) and _is_utf8(body))
        return {
            "version": "2.0",
            "routeKey": f"{route.method} {route.path}",
            "rawPath": path,
            "rawQueryString": query,
            "headers": headers,
            # API Gateway passes `?to=` on as an empty value; it does not drop it.
            "queryStringParameters": {
                key: ",".join(values) for key, values in parse_qs(query, keep_blank_values=True).items()
            }
            or None,
            "pathParameters": path_parameters or None,
            "requestContext": {
                "accountId": ACCOUNT,
                "apiId": "local",
                "domainName": "127.0.0.1",
                "http": {
                    "method": route.method,
                    "path": path,
                    "protocol": "HTTP/1.1",
                    "sourceIp": "127.0.0.1",
                    "userAgent": headers.get("user-agent", ""),
                },
                "requestId": str(uuid.uuid4()),
                "routeKey": f"{route.method} {route.path}",
                "stage": "$default",
                "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "timeEpoch": int(now.timestamp() * 1000),
            },
            "body": (body.decode("utf-8", errors="replace") if is_text else base64.b64encode(body).decode()) or None,
            "isBase64Encoded": not is_text,
        }

    @staticmethod
    def _authorizer_event(event: dict[str, Any]) -> dict[str, Any]:
        return {
            "version": "2.0",
            "type": "REQUEST",
            "routeArn": f"arn:aws:execute-api:local:{ACCOUNT}:local/$default/{event['routeKey'].replace(' ', '')}",
            "identitySource": [event["headers"].get("authorization", "")],
            "routeKey": event["routeKey"],
            "rawPath": event["rawPath"],
            "rawQueryString": event["rawQueryString"],
            "headers": event["headers"],
            "requestContext": event["requestContext"],
        }


def not_found() -> Answer:
    """An unknown path or method: API.md's error body (API Gateway's own would be {"message": "Not Found"})."""
    return _json(404, {"error": {"code": "not_found", "message": "Cette adresse n'existe pas dans l'API."}})


def allow_fec_uploads_from_local_pages(emulator: Emulator) -> None:
    """Each bucket's CORS rules from the template, also open to the loopback origins as the API is."""
    for logical_id, resource in template.resources("AWS::S3::Bucket").items():
        rules = resource["Properties"].get("CorsConfiguration", {}).get("CorsRules", [])
        if rules:
            boto3.client("s3").put_bucket_cors(
                Bucket=emulator.values[logical_id],
                CORSConfiguration={"CORSRules": [_local_cors_rule(emulator, rule) for rule in rules]},
            )


def _local_cors_rule(emulator: Emulator, rule: dict[str, Any]) -> "CORSRuleTypeDef":
    """A CloudFormation CorsRule in the S3 API's spelling, plus the loopback origins."""
    origins = [emulator.resolve(origin) for origin in rule["AllowedOrigins"]]
    return {
        "AllowedOrigins": [*origins, "http://localhost:*", "http://127.0.0.1:*"],
        "AllowedMethods": rule["AllowedMethods"],
        "AllowedHeaders": rule.get("AllowedHeaders", []),
        "ExposeHeaders": rule.get("ExposedHeaders", []),
        "MaxAgeSeconds": rule.get("MaxAge", 0),
    }


def _is_utf8(body: bytes) -> bool:
    """Bytes that are not UTF-8 (a Windows-1252 CSV) travel base64-encoded, intact, as binary would."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _json(status: int, body: Any) -> Answer:
    return status, {"Content-Type": "application/json"}, json.dumps(body, ensure_ascii=False).encode()


def _rate_seconds(expression: str) -> int:
    match = re.fullmatch(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)", expression)
    if not match:
        raise ValueError(f"unsupported schedule {expression}")
    unit = {"minute": 60, "hour": 3600, "day": 86400}[match.group(2).rstrip("s")]
    return int(match.group(1)) * unit


def start_schedules(emulator: Emulator, stop: threading.Event) -> None:
    """EventBridge Scheduler never fires under moto: a timer delivers each schedule at its rate, as the
    Scheduler does (an asynchronous invocation, its retries and dead-letter queue: local/async_paths.py)."""
    for function, expression in template.schedules():
        period = int(os.environ.get("LOCAL_SCHEDULE_SECONDS", _rate_seconds(expression)))

        def tick(function: template.Function = function, period: int = period) -> None:
            while not stop.wait(period):
                emulator.fire_schedule(function.logical_id)

        threading.Thread(target=tick, daemon=True, name=f"schedule-{function.logical_id}").start()


class LocalHttpServer(ThreadingHTTPServer):
    # The socket's listen backlog: socketserver's default of 5 reset the connections of a front end and
    # its tests beyond about 10 concurrent clients.
    request_queue_size = 128


def make_server(api: LocalApi, host: str, port: int, listening: socket.socket | None = None) -> ThreadingHTTPServer:
    """The API over HTTP on host:port, or on ``listening``, a socket already bound and listening."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            headers = {key.lower(): value for key, value in self.headers.items()}
            if length > MAX_REQUEST_BYTES:
                # Refused unread, as API Gateway does; the connection closes since the body stays unread.
                self.close_connection = True
                self._send(*_json(*PAYLOAD_TOO_LARGE))
                return
            body = self.rfile.read(length) if length else b""
            self._send(*api.handle(self.command, self.path, headers, body))

        def __getattr__(self, name: str) -> Any:
            # Every method reaches the API (TRACE, PROPFIND…), which answers what API Gateway would,
            # in JSON: http.server would otherwise answer an unknown method with an HTML 501.
            if name.startswith("do_"):
                return self._serve
            raise AttributeError(name)

        def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
            """http.server's own refusals (malformed request line, header too long…) in API.md's JSON."""
            self.close_connection = True
            error = {"code": HTTPStatus(code).phrase.lower().replace(" ", "_"), "message": "Requête HTTP illisible."}
            self._send(*_json(code, {"error": error}))

        def _send(self, status: int, out_headers: dict[str, str], data: bytes) -> None:
            self.send_response(status)
            for name, value in out_headers.items():
                if name.lower() != "content-length":
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            if os.environ.get("LOCAL_ACCESS_LOG", "1") == "1":
                super().log_message(format, *args)

    if listening is None:
        return LocalHttpServer((host, port), Handler)
    server = LocalHttpServer(listening.getsockname(), Handler, bind_and_activate=False)
    server.socket.close()
    server.socket = listening
    return server


def main(taken: ports.Ports, argv: list[str] | None = None) -> None:
    """`make run`: the API on the port taken, the emulators behind it, the banner once it answers."""
    parser = argparse.ArgumentParser(prog="python -m local", description="The ComptaSecure API, locally.")
    parser.add_argument("--demo", action="store_true", help="seed a demo account (make run DEMO=1)")
    arguments = parser.parse_args(argv)
    emulator = Emulator(stripe=taken.stripe).start()
    api_url = f"http://127.0.0.1:{taken.api.getsockname()[1]}"
    config = LocalConfig.of(emulator, api_url, os.environ.get("STRIPE_PUBLISHABLE_KEY"))
    api = LocalApi(emulator, config)
    stop = threading.Event()
    start_schedules(emulator, stop)
    server = make_server(api, "127.0.0.1", 0, taken.api)
    if emulator.stripe:
        emulator.stripe.send_webhooks_to(api_url + "/webhooks/stripe", stripe.webhook_secret(emulator))
    threading.Thread(target=server.serve_forever, daemon=True, name="local-api").start()
    try:
        demo = None
        if arguments.demo:
            from local import demo as demo_account

            demo = demo_account.seed(api, emulator)
        print(config.banner(demo, (taken.note,) if taken.note else ()), flush=True)
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        emulator.stop()
