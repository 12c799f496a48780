"""A real browser against the local run: Chromium (Debian's, driven by Playwright) on a page of another
origin, calling the API with fetch as the front end does.

What the fixtures give, for these tests and the next ones (passkeys will use the same):

- ``local_api``: `make run DEMO=1` in a process of its own on free ports, its ``base`` the API URL
  (``http://127.0.0.1:<port>``), its ``banner`` what it printed; one per session.
- ``front_end``: the origin of a static server of ``tests/browser/pages`` on ``http://localhost:<port>``
  (an origin the local run allows, as a developer's Vite server; its WebAuthn relying party is
  ``localhost``), and ``foreign_origin``, the same pages on ``http://127.0.0.2:<port>``, an origin
  it refuses.
- ``browser``: one Chromium for the whole session (about 1.5 s to launch here), with a fresh profile
  (Playwright gives each launch a temporary user-data-dir and removes it after).
- ``page``: a new browser context (its own cookies and storage) with a page open on the front end,
  ``window.app`` (pages/app.js) ready to call the API; closed after the test. A failed test leaves a
  screenshot of it in ``build/browser/<test name>.png``.

A passkey test would take ``page``, open a CDP session on it (``page.context.new_cdp_session(page)``),
``WebAuthn.enable`` and ``WebAuthn.addVirtualAuthenticator`` (ctap2, internal transport, resident
keys, user verification), then call ``navigator.credentials.create/get`` from the page with the
options the API answers: the page's origin is ``http://localhost:<port>``, as the relying party wants.

The network here is closed: Chromium runs with the flags that keep it from calling home, and
Playwright's own browser download is never used (`make` installs Debian's chromium when missing).
"""

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from local.template import ROOT
from tests.e2e.conftest import Http, started_local_run

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = Path(__file__).parent / "pages"
SCREENSHOTS = ROOT / "build" / "browser"
REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    """Each phase's report, kept on the test for the ``page`` fixture to see whether it failed."""
    report: pytest.TestReport = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def local_api() -> Iterator[Http]:
    with started_local_run("DEMO=1") as http:
        yield http


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _static_server(address: str) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((address, 0), functools.partial(_Quiet, directory=str(PAGES)))
    threading.Thread(target=server.serve_forever, daemon=True, name=f"pages-{address}").start()
    return server


@pytest.fixture(scope="session")
def front_end() -> Iterator[str]:
    server = _static_server("127.0.0.1")
    yield f"http://localhost:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def foreign_origin() -> Iterator[str]:
    server = _static_server("127.0.0.2")
    yield f"http://127.0.0.2:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield chromium
        chromium.close()


# Playwright's waits (a navigation, an expect, a function polled) give up after 30 s by default; a
# first request to a route is a cold start, several times slower on a loaded runner. Every wait ends
# as soon as its condition holds: the bound is only against a page that hangs.
HANG_MILLISECONDS = 120_000
expect.set_options(timeout=HANG_MILLISECONDS)


def open_page(browser: Browser, origin: str, api: str) -> Page:
    """A new context's page on ``origin``'s test front end, speaking to the API at ``api``."""
    context = browser.new_context()
    context.set_default_timeout(HANG_MILLISECONDS)
    page = context.new_page()
    page.goto(f"{origin}/index.html?api={api}")
    page.wait_for_function("window.app !== undefined")
    return page


@pytest.fixture
def page(browser: Browser, front_end: str, local_api: Http, request: pytest.FixtureRequest) -> Iterator[Page]:
    opened = open_page(browser, front_end, local_api.base)
    yield opened
    screenshot_if_failed(opened, request)
    opened.context.close()


def screenshot_if_failed(page: Page, request: pytest.FixtureRequest) -> None:
    reports = request.node.stash.get(REPORTS, {})
    if any(report.failed for report in reports.values()):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
