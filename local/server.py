"""The local API: every HttpApi route of template.yaml on 127.0.0.1, as API Gateway would serve it."""

import base64
import json
import os
import re
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from local import docs, emails, stripe, template
from local.emulator import ACCOUNT, Emulator, invoke

TEXT_TYPES = ("application/json", "text/", "application/x-www-form-urlencoded")


class LocalApi:
    def __init__(self, emulator: Emulator):
        self.emulator = emulator
        self.routes = template.routes()
        self.authorizer = template.authorizer()

    def handle(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(raw_path)
        if (page := docs.serve(method, url.path)) is not None:
            return page
        if method == "GET" and url.path == "/_local/emails":
            to = parse_qs(url.query).get("to", [None])[0]
            return _json(200, {"items": emails.sent(to)})
        matched = [(route, route.pattern.match(url.path)) for route in self.routes]
        candidates = [(route, match) for route, match in matched if match]
        if not candidates:
            return _json(404, {"message": "Not Found"})
        allowed = [(route, match) for route, match in candidates if route.method == method]
        if not allowed:
            return _json(404, {"message": "Not Found"})
        # A literal path (/users/import) wins over a parameter (/users/{id}), as in API Gateway.
        route, match = min(allowed, key=lambda pair: pair[0].path.count("{"))
        event = self._event(route, url.path, url.query, headers, body, match.groupdict())
        if not route.public:
            verdict = invoke(self.authorizer.logical_id, self._authorizer_event(event))
            if not verdict.get("isAuthorized"):
                return _json(403, {"message": "Forbidden"})
            event["requestContext"]["authorizer"] = {"lambda": verdict.get("context", {})}
        response = invoke(route.function.logical_id, event)
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
            "queryStringParameters": {key: ",".join(values) for key, values in parse_qs(query).items()} or None,
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


def _is_utf8(body: bytes) -> bool:
    """Bytes that are not UTF-8 (a Windows-1252 CSV) travel base64-encoded, intact, as binary would."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _json(status: int, body: Any) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(body, ensure_ascii=False).encode()


def _rate_seconds(expression: str) -> int:
    match = re.fullmatch(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)", expression)
    if not match:
        raise ValueError(f"unsupported schedule {expression}")
    unit = {"minute": 60, "hour": 3600, "day": 86400}[match.group(2).rstrip("s")]
    return int(match.group(1)) * unit


def start_schedules(stop: threading.Event) -> None:
    """EventBridge never fires under moto: a timer runs each scheduled function at its rate."""
    for function, expression in template.schedules():
        period = int(os.environ.get("LOCAL_SCHEDULE_SECONDS", _rate_seconds(expression)))

        def tick(function: template.Function = function, period: int = period) -> None:
            while not stop.wait(period):
                invoke(function.logical_id, {"source": "aws.scheduler", "detail-type": "Scheduled Event"})

        threading.Thread(target=tick, daemon=True, name=f"schedule-{function.logical_id}").start()


def make_server(api: LocalApi, host: str, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {key.lower(): value for key, value in self.headers.items()}
            status, out_headers, data = api.handle(self.command, self.path, headers, body)
            self.send_response(status)
            for name, value in out_headers.items():
                if name.lower() != "content-length":
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:
            if os.environ.get("LOCAL_ACCESS_LOG", "1") == "1":
                super().log_message(format, *args)

    return ThreadingHTTPServer((host, port), Handler)


def main() -> None:
    emulator = Emulator().start()
    api = LocalApi(emulator)
    stop = threading.Event()
    start_schedules(stop)
    port = int(os.environ.get("PORT", "3000"))
    server = make_server(api, "127.0.0.1", port)
    if emulator.stripe:
        emulator.stripe.send_webhooks_to(f"http://127.0.0.1:{port}/webhooks/stripe", stripe.webhook_secret(emulator))
    stripe_at = emulator.stripe.endpoint if emulator.stripe else "Stripe test mode"
    print(
        f"ComptaSecure API on http://127.0.0.1:{port} (AWS emulated by moto on {emulator.endpoint}, "
        f"Stripe: {stripe_at})",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
        emulator.stop()
        time.sleep(0.1)


if __name__ == "__main__":
    main()
