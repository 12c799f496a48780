"""The API docs for the front-end developers, over HTTP: Swagger UI at /docs, the document at /openapi.json."""

import json
import re
import urllib.request

from local.template import ROOT
from tests.e2e.conftest import REQUEST_TIMEOUT_SECONDS, Http


def get(http: Http, path: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(http.base + path, timeout=REQUEST_TIMEOUT_SECONDS) as response:
        return response.status, response.headers["Content-Type"], response.read()


def test_openapi_json_is_the_committed_document(local_run: Http) -> None:
    status, kind, body = get(local_run, "/openapi.json")
    assert (status, kind) == (200, "application/json")
    assert json.loads(body) == json.loads((ROOT / "openapi.json").read_text())


def test_docs_page_loads_swagger_ui_from_the_local_run_only(local_run: Http) -> None:
    status, kind, page = get(local_run, "/docs")
    assert status == 200 and kind.startswith("text/html")
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.decode())
    assert "/docs/swagger-ui-bundle.js" in assets and "/docs/swagger-ui.css" in assets
    for asset in assets:
        assert asset.startswith("/docs/"), f"{asset} would be fetched from elsewhere"
        status, _, body = get(local_run, asset)
        assert status == 200 and body, asset
    _, kind, initializer = get(local_run, "/docs/initializer.js")
    assert kind.startswith("text/javascript")
    assert b'url: "/openapi.json"' in initializer


def test_docs_serve_no_file_outside_the_swagger_ui_package(local_run: Http) -> None:
    for path in ("/docs/../openapi.json", "/docs/%2e%2e/template.yaml", "/docs/index.j2x", "/docs/__init__.py"):
        status, _ = local_run.call("GET", path)
        assert status == 404, path
