"""API docs for the front-end developers: Swagger UI at GET /docs over GET /openapi.json.

The document is the committed, generated openapi.json; Swagger UI's assets come from the
swagger-ui-bundle-v2 package (Swagger UI 5, which renders OpenAPI 3.1), so nothing is fetched from
the network. Only the package's own files are served, by name: no path reaches outside it.
"""

import mimetypes
from pathlib import Path

from swagger_ui_bundle import swagger_ui_path

from local.template import ROOT

OPENAPI = ROOT / "openapi.json"
ASSETS = Path(str(swagger_ui_path))
ASSET_NAMES = frozenset(path.name for path in ASSETS.iterdir() if path.is_file())

PAGE = b"""<!DOCTYPE html>
<html lang="fr">
  <head>
    <meta charset="UTF-8">
    <title>ComptaSecure - Mon Compte : API</title>
    <link rel="stylesheet" href="/docs/swagger-ui.css">
    <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/swagger-ui-standalone-preset.js"></script>
    <script src="/docs/initializer.js"></script>
  </body>
</html>
"""
INITIALIZER = b"""window.onload = () => {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout",
  });
};
"""

Answer = tuple[int, dict[str, str], bytes]


def serve(method: str, path: str) -> Answer | None:
    """The docs' answer to this request, or None when the request is not for the docs."""
    if method != "GET":
        return None
    if path == "/openapi.json":
        return _ok("application/json", OPENAPI.read_bytes())
    if path in ("/docs", "/docs/"):
        return _ok("text/html; charset=utf-8", PAGE)
    if path == "/docs/initializer.js":
        return _ok("text/javascript; charset=utf-8", INITIALIZER)
    name = path.removeprefix("/docs/")
    if path.startswith("/docs/") and name in ASSET_NAMES:
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return _ok(kind, (ASSETS / name).read_bytes())
    return None


def _ok(kind: str, body: bytes) -> Answer:
    return 200, {"Content-Type": kind, "Cache-Control": "no-cache"}, body
