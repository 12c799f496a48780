"""The local run as a newcomer starts it (`make run`), spoken to over HTTP."""

import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from local.template import ROOT
from tests.helpers import eventually

# A request's first call to a route imports its handler (a cold start): seconds on a loaded CI runner.
REQUEST_TIMEOUT_SECONDS = 60
# `make run DEMO=1` starts in about 10 s here, seeding its demo through the product; the bound is only
# against a run that hangs, on a runner that may be several times slower.
STARTUP_HANG_SECONDS = 300


@dataclass
class Http:
    base: str
    banner: str = ""
    stripe_port: int = 0

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, json.loads(raw) if raw else None

    def emails(self, to: str, count: int = 1) -> list[dict[str, Any]]:
        """The local mailbox's emails to ``to`` once it holds ``count``: the follow-up that sends one runs
        after the answer (the outbox), later still on a busy machine."""

        def arrived() -> list[dict[str, Any]] | None:
            _, body = self.call("GET", f"/_local/emails?to={to}")
            return list(body["items"]) if len(body["items"]) >= count else None

        return eventually(arrived, f"{count} emails to {to}")


BANNER_END = "Ctrl-C stops."


def from_banner(banner: str) -> Http:
    """The API and the Stripe emulator where the banner says they are."""
    api = re.search(r"^ComptaSecure API on (http://\S+)$", banner, re.MULTILINE)
    stripe = re.search(r"^  Stripe API +http://127\.0\.0\.1:(\d+) ", banner, re.MULTILINE)
    assert api and stripe, banner
    return Http(api.group(1), banner=banner, stripe_port=int(stripe.group(1)))


@contextmanager
def started_local_run(*arguments: str, **variables: str) -> Iterator[Http]:
    """`make run` (with make ``arguments``, e.g. ``DEMO=1``, and extra environment ``variables``) in a
    process of its own on free ports, until its banner is printed; stopped on exit. ``Http.banner``
    holds what it printed up to its banner's last line."""
    environment = {
        **os.environ,
        # Free ports taken by the run itself, said in its banner: a port found free here could be
        # taken by another process (the suite's, beside) before the run binds it.
        "PORT": "0",
        "STRIPE_PORT": "0",
        "PYTHONPATH": f"{ROOT / 'layers/common/python'}:{ROOT}",
        "LOCAL_ACCESS_LOG": "0",
        **variables,
    }
    # A clean environment, as a newcomer's shell: nothing of this process's emulation leaks in.
    for name in list(environment):
        if name.startswith("AWS_") or name in ("MOTO_PORT", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "STRIPE_API_BASE"):
            environment.pop(name)
    if "IAM_CALLS_LOG" in environment:  # its AWS calls count too, in a log of its own: one writer a file
        log = Path(environment["IAM_CALLS_LOG"])
        environment["IAM_CALLS_LOG"] = str(log.with_name(f"{log.stem}.local-run-{uuid.uuid4().hex}{log.suffix}"))
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run", *arguments],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    printed: list[str] = []
    deadline = time.monotonic() + STARTUP_HANG_SECONDS
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        printed.append(line)
        if BANNER_END in line:
            break
        if process.poll() is not None:
            raise AssertionError(f"local run exited: {''.join(printed)}{process.stdout.read()}")
    else:
        os.killpg(process.pid, signal.SIGKILL)
        raise AssertionError(f"local run did not start within {STARTUP_HANG_SECONDS} s: {''.join(printed)}")
    http = from_banner("".join(printed))
    # Keep reading what the run prints (its logs, a traceback per 500): a pipe nobody reads fills up
    # and the server then blocks on its next log line, so every request hangs.
    threading.Thread(target=process.stdout.read, daemon=True).start()
    try:
        yield http
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def local_run() -> Iterator[Http]:
    with started_local_run() as http:
        yield http
