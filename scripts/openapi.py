"""The OpenAPI document, generated from the handlers' routes and pydantic models.

--write regenerates openapi.json; --check fails when the committed file is stale, or when a route
of the code is not in API.md (the binding contract, ../shared/API.md).
"""

import argparse
import json
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
for name, value in {
    "TABLE_NAME": "openapi",
    "JWT_SECRET_NAME": "openapi",
    "AWS_DEFAULT_REGION": "eu-west-3",
}.items():
    os.environ.setdefault(name, value)

from comptasecure.http.app import build_app  # noqa: E402
from local import template  # noqa: E402

OPENAPI = template.ROOT / "openapi.json"
API_MD = template.ROOT.parent / "shared" / "API.md"


def generate() -> str:
    app = build_app(*(route.function.module().router for route in template.routes()))
    schema = app.get_openapi_json_schema(
        title="ComptaSecure — Mon Compte",
        version="1.0.0",
        description="HTTP contract with the web front end.",
    )
    return json.dumps(json.loads(schema), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def contract_routes() -> set[tuple[str, str]]:
    """Method and path of every table row; a row may list several ("GET /x, PATCH /x")."""
    routes = set()
    for line in API_MD.read_text().splitlines():
        cell = line.split("|")[1] if line.startswith("|") else ""
        for method, path in re.findall(r"\b(GET|POST|PUT|PATCH|DELETE) (/[^\s,`]*)", cell):
            routes.add((method, _shape(path)))
    return routes


def _shape(path: str) -> str:
    """A path parameter's name is not part of the contract: /groups/{id} is /groups/{group_id}."""
    return re.sub(r"\{[^}]+\}", "{}", path)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--check", action="store_true")
    arguments = parser.parse_args()
    document = generate()
    if arguments.write:
        OPENAPI.write_text(document)
        print(f"wrote {OPENAPI.name}")
        return 0
    failures = []
    if not OPENAPI.exists() or OPENAPI.read_text() != document:
        failures.append("openapi.json is stale: run `make openapi` and commit it")
    ours = {(method.upper(), _shape(path)) for path, item in json.loads(document)["paths"].items() for method in item}
    if API_MD.exists():
        contract = contract_routes()
        failures.extend(f"{method} {path} is not in API.md" for method, path in sorted(ours - contract))
        missing = sorted(contract - ours)
        print(f"openapi: {len(ours)} routes, all in API.md; {len(missing)} API.md routes not built yet")
    else:
        print("openapi: ../shared/API.md not found, contract comparison skipped")
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
