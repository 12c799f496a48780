"""Prints the local run's memory (RSS) and thread count as requests go by: it must stay bounded.

Starts `python -m local` as `make run` does, sends N requests over HTTP from a few concurrent
clients (a mix like a front end's and a fuzzer's: signups that start a workflow, logins, reads,
writes, bad bodies, unknown paths), and prints RSS and threads every N/10 requests.

    .venv/bin/python benchmarks/local_memory.py [N, default 10000] [--clients 4]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "layers" / "common" / "python"), str(ROOT)]

from local.emulator import free_port  # noqa: E402

PASSWORD = "Cabinet-Dupont 2026 !"


def status_of(pid: int) -> tuple[int, int]:
    """(RSS in MB, threads) of a process, from /proc."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return int(fields["VmRSS"].split()[0]) // 1024, int(fields["Threads"])


class Api:
    def __init__(self, base: str):
        self.base = base

    def call(self, method: str, path: str, body: Any = None, token: str | None = None, raw: bytes | None = None) -> Any:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                raw_answer = response.read()
        except urllib.error.HTTPError as error:
            raw_answer = error.read()
        return json.loads(raw_answer) if raw_answer else None


def start_local_run(log: Path) -> tuple[subprocess.Popen[bytes], Api]:
    port = free_port()
    environment = {**os.environ, "PORT": str(port), "LOCAL_ACCESS_LOG": "0"}
    environment["PYTHONPATH"] = f"{ROOT / 'layers/common/python'}:{ROOT}"
    for name in [name for name in environment if name.startswith("AWS_")]:
        environment.pop(name)
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "local"], cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 120
    while "ComptaSecure API on" not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the local run did not start:\n{log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.2)
    return process, Api(f"http://127.0.0.1:{port}")


def owner_token(api: Api) -> tuple[str, str]:
    email = f"bench.{uuid.uuid4().hex[:10]}@cabinet-test.fr"
    body = {"email": email, "password": PASSWORD, "first_name": "A", "last_name": "B", "company_name": "C"}
    api.call("POST", "/auth/signup", body)
    deadline = time.monotonic() + 60
    while not (sent := api.call("GET", f"/_local/emails?to={email}")["items"]):
        if time.monotonic() > deadline:
            raise SystemExit("no confirmation email")
        time.sleep(0.2)
    code = next(word for word in sent[0]["text"].split() if word.isdigit() and len(word) == 6)
    api.call("POST", "/auth/confirm", {"email": email, "code": code})
    return email, api.call("POST", "/auth/login", {"email": email, "password": PASSWORD})["access_token"]


def request_mix(api: Api, email: str, token: str) -> list[Callable[[], Any]]:
    """Ten requests, repeated: what a front end and a fuzzer send."""

    def signup() -> Any:
        email = f"bench.{uuid.uuid4().hex[:10]}@cabinet-test.fr"
        body = {"email": email, "password": PASSWORD, "first_name": "A", "last_name": "B", "company_name": "C"}
        return api.call("POST", "/auth/signup", body)

    return [
        signup,
        lambda: api.call("POST", "/auth/login", {"email": email, "password": "wrong password 1234"}),
        lambda: api.call("GET", "/me", token=token),
        lambda: api.call("GET", "/account", token=token),
        lambda: api.call("GET", "/users", token=token),
        lambda: api.call("PATCH", "/account", {"name": f"Cabinet {uuid.uuid4().hex[:6]}"}, token=token),
        lambda: api.call("POST", "/groups", {"name": "x" * 500}, token=token),
        lambda: api.call("PATCH", "/me", raw=b'{"first_name": [', token=token),
        lambda: api.call("GET", "/audit", token=token),
        lambda: api.call("DELETE", f"/nowhere/{uuid.uuid4().hex}", token=token),
    ]


@dataclass(frozen=True)
class Sample:
    requests: int
    rss_mb: int
    threads: int
    requests_per_second: float


def measure(requests: int, clients: int, on_sample: Callable[[Sample], None] = lambda sample: None) -> list[Sample]:
    """Start the local run, send the mix from ``clients`` threads, sample RSS and threads ten times."""
    with tempfile.TemporaryDirectory() as folder:
        process, api = start_local_run(Path(folder) / "local-run.log")
        try:
            email, token = owner_token(api)
            mix = request_mix(api, email, token)
            rss, threads = status_of(process.pid)
            samples = [Sample(0, rss, threads, 0.0)]
            on_sample(samples[0])
            step = max(requests // 10, 1)
            started = time.monotonic()
            with ThreadPoolExecutor(clients) as pool:
                for done in range(step, requests + 1, step):
                    list(pool.map(lambda i: mix[i % len(mix)](), range(done - step, done)))
                    rss, threads = status_of(process.pid)
                    samples.append(Sample(done, rss, threads, done / (time.monotonic() - started)))
                    on_sample(samples[-1])
            return samples
        finally:
            process.terminate()
            process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("requests", type=int, nargs="?", default=10_000)
    parser.add_argument("--clients", type=int, default=4)
    arguments = parser.parse_args()
    print(f"{'requests':>9} {'RSS MB':>7} {'threads':>8} {'req/s':>6}", flush=True)
    measure(
        arguments.requests,
        arguments.clients,
        lambda sample: print(
            f"{sample.requests:>9} {sample.rss_mb:>7} {sample.threads:>8} {sample.requests_per_second:>6.1f}",
            flush=True,
        ),
    )


if __name__ == "__main__":
    main()
