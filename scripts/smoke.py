"""The front end's journey over HTTP against any deployment: `make smoke BASE_URL=https://…`.

Against the local run it signs a new user up and reads the codes from `GET /_local/emails`. A deployed
stage has no such mailbox: give it a confirmed user of a test account (SMOKE_EMAIL, SMOKE_PASSWORD).
Every step prints one line; the first failure stops the run with exit code 1. Nothing outside that
test account is read or written, and what the journey creates it deletes.
"""

import json
import os
import re
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

PASSWORD = "Smoke-test passphrase 2026 !"


class SmokeFailure(AssertionError):
    pass


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str]


@dataclass
class Api:
    base: str
    token: str | None = None

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Answer:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=sent)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the stage under test
                return _answer(response.status, response.read(), dict(response.headers))
        except urllib.error.HTTPError as error:
            return _answer(error.code, error.read(), dict(error.headers))


def _answer(status: int, raw: bytes, headers: dict[str, str]) -> Answer:
    lowered = {name.lower(): value for name, value in headers.items()}
    is_json = raw and "json" in lowered.get("content-type", "")
    return Answer(status, json.loads(raw) if is_json else raw.decode("utf-8", "replace"), lowered)


def step(name: str, answer: Answer, expected: int) -> Any:
    if answer.status != expected:
        raise SmokeFailure(f"{name}: expected {expected}, got {answer.status}: {answer.body}")
    print(f"ok  {name} ({answer.status})", flush=True)
    return answer.body


def local_code(api: Api, email: str, count: int) -> str:
    """The 6-digit code of the count-th email to this address (the local run's mailbox)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        items = api.call("GET", f"/_local/emails?to={email}").body["items"]
        if len(items) >= count:
            match = re.search(r"\b(\d{6})\b", items[count - 1]["text"])
            if match:
                return match.group(1)
        time.sleep(0.2)
    raise SmokeFailure(f"no email #{count} to {email} within 30 s")


def new_local_user(api: Api) -> str:
    email = f"smoke.{uuid.uuid4().hex[:10]}@cabinet-smoke.fr"
    step(
        "signup",
        api.call(
            "POST",
            "/auth/signup",
            {"email": email, "password": PASSWORD, "first_name": "Sam", "last_name": "Oke", "company_name": "Smoke"},
        ),
        201,
    )
    step("confirm", api.call("POST", "/auth/confirm", {"email": email, "code": local_code(api, email, 1)}), 200)
    return email


def run(base: str, email: str | None = None, password: str = PASSWORD, origin: str | None = None) -> None:
    public = Api(base.rstrip("/"))
    is_local = public.call("GET", "/_local/emails?to=nobody@example.invalid").status == 200
    step("protected route without a token", public.call("GET", "/me"), 401)
    step(
        "login with a wrong password",
        public.call("POST", "/auth/login", {"email": "x@y.fr", "password": "n" * 12}),
        401,
    )
    if origin:
        preflight = public.call(
            "OPTIONS",
            "/me",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "PATCH",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )
        if preflight.headers.get("access-control-allow-origin") != origin:
            raise SmokeFailure(f"CORS preflight from {origin} not allowed: {preflight.status} {preflight.headers}")
        print(f"ok  CORS preflight from {origin}", flush=True)
    if email is None:
        if not is_local:
            raise SmokeFailure("a deployed stage needs SMOKE_EMAIL and SMOKE_PASSWORD (a confirmed test user)")
        email = new_local_user(public)

    tokens = step("login", public.call("POST", "/auth/login", {"email": email, "password": password}), 200)
    api = Api(public.base, tokens["access_token"])
    me = step("GET /me", api.call("GET", "/me"), 200)
    step("PATCH /me", api.call("PATCH", "/me", {"job_title": "Contrôle smoke"}), 200)
    account = step("GET /account", api.call("GET", "/account"), 200)
    step("GET /account-types", api.call("GET", "/account-types"), 200)
    if me["role"] in ("owner", "admin"):
        step("GET /users", api.call("GET", "/users"), 200)
        group = step(
            "POST /groups",
            api.call("POST", "/groups", {"name": f"Smoke {uuid.uuid4().hex[:6]}", "member_ids": [me["id"]]}),
            201,
        )
        step("GET /groups/{id}", api.call("GET", f"/groups/{group['id']}"), 200)
        step("DELETE /groups/{id}", api.call("DELETE", f"/groups/{group['id']}"), 204)
        step("GET /cabinet", api.call("GET", "/cabinet"), 200)
        step("GET /billing/credits", api.call("GET", "/billing/credits"), 200)
        step("GET /audit", api.call("GET", "/audit?limit=5"), 200)
    step(
        "another account's user is not found",
        api.call("PATCH", f"/users/{uuid.uuid4().hex}", {"first_name": "X"}),
        404 if me["role"] in ("owner", "admin") else 403,
    )
    refreshed = step("refresh", public.call("POST", "/auth/refresh", {"refresh_token": tokens["refresh_token"]}), 200)
    step("logout", public.call("POST", "/auth/logout", {"refresh_token": refreshed["refresh_token"]}), 204)
    step("the session is over", Api(public.base, refreshed["access_token"]).call("GET", "/me"), 401)
    if is_local and account["can_delete"]:
        closing = Api(
            public.base,
            step("login", public.call("POST", "/auth/login", {"email": email, "password": password}), 200)[
                "access_token"
            ],
        )
        step("DELETE /account", closing.call("DELETE", "/account"), 204)


def main() -> int:
    base = os.environ.get("BASE_URL") or (sys.argv[1] if len(sys.argv) > 1 else "")
    if not base:
        print("usage: make smoke BASE_URL=https://<api id>.execute-api.<region>.amazonaws.com/<stage>", file=sys.stderr)
        return 2
    try:
        run(
            base,
            email=os.environ.get("SMOKE_EMAIL") or None,
            password=os.environ.get("SMOKE_PASSWORD", PASSWORD),
            origin=os.environ.get("SMOKE_ORIGIN") or None,
        )
    except SmokeFailure as failure:
        print(f"FAIL {failure}", file=sys.stderr)
        return 1
    print("smoke: the journey passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
