"""The OpenAPI document, generated from the handlers' routes and pydantic models.

--write regenerates openapi.json; --check fails when the committed file is stale, when a route of the
code is not in API.md (the binding contract, ../shared/API.md), or when an example is missing or does
not match its schema.

Powertools knows each route's models. What it cannot know is derived here from the code, the same way
for every route (see comptasecure.http.openapi): the success status and media type from the handler's
`Response(...)` calls, 401 and the bearer scheme from the template's public flag, 403 from a
`require(...)` role check, 404 from an id in the path, 400/415/422 from a JSON body or query
parameters; each route's own domain errors come from comptasecure.http.openapi.ROUTES. Request
examples are the bodies of the routes' sample events, response examples come from
comptasecure.http.openapi_examples.
"""

import argparse
import ast
import base64
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import jsonschema_rs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from comptasecure.settings import FunctionSetting

# Each handler checks its settings when imported: the shared ones, and those only some functions get.
for name, value in {
    "TABLE_NAME": "openapi",
    "JWT_SECRET_NAME": "openapi",
    "EMAIL_CONFIGURATION_SET": "openapi",
    "AWS_DEFAULT_REGION": "eu-west-3",
    **{setting.upper(): "openapi" for setting in get_args(FunctionSetting)},
}.items():
    os.environ.setdefault(name, value)

from comptasecure.http import openapi as notes  # noqa: E402
from comptasecure.http.app import build_app  # noqa: E402
from comptasecure.http.openapi_examples import RESPONSES, TEXT  # noqa: E402
from local import template  # noqa: E402

OPENAPI = template.ROOT / "openapi.json"
API_MD = template.ROOT.parent / "shared" / "API.md"
ERROR_REF = {"$ref": "#/components/schemas/Error"}
# Powertools' own validation bodies: the edge never answers them (errors.from_validation maps them).
POWERTOOLS_SCHEMAS = ("HTTPValidationError", "ValidationError", "ResponseValidationError")


@dataclass(frozen=True)
class Handler:
    """What a route's handler shows in its code."""

    successes: dict[int, str | None]  # status -> media type (None: no body)
    checks_role: bool


def generate() -> tuple[str, list[str]]:
    """The document, and what it lacks (missing or wrong examples)."""
    routes = template.routes()
    app = build_app(*(route.function.module().router for route in routes))
    document: dict[str, Any] = json.loads(
        app.get_openapi_json_schema(
            title="ComptaSecure — Mon Compte",
            version="1.0.0",
            description='HTTP contract with the web front end. Errors are `{"error": {code, message, field?}}`.',
        )
    )
    components = document.setdefault("components", {})
    for name in POWERTOOLS_SCHEMAS:
        components["schemas"].pop(name, None)
    components["schemas"]["Error"] = notes.ERROR_SCHEMA
    components["securitySchemes"] = {"bearer": notes.BEARER_SCHEME}
    problems: list[str] = []
    for route in routes:
        operation = document["paths"][route.path][route.method.lower()]
        problems.extend(_complete(operation, route, _handler(route)))
    problems.extend(_invalid_examples(document))
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n", problems


def _complete(operation: dict[str, Any], route: template.Route, handler: Handler) -> list[str]:
    key = f"{route.method} {route.path}"
    extra = notes.ROUTES.get(key, notes.Notes())
    problems: list[str] = []
    success_schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    operation["responses"] = {}
    for status, media in handler.successes.items():
        if status in extra.also:
            continue  # the route's notes describe this answer's body themselves
        response, problem = _success(key, media, success_schema)
        operation["responses"][str(status)] = response
        problems.extend(problem)
    for status, body in extra.also.items():
        operation["responses"][str(status)] = {
            "description": body.description,
            "content": {body.media: {"schema": body.schema, "example": body.example}},
        }
    for header in extra.headers:
        parameter = {"in": "header", "name": header, "required": True, "schema": {"type": "string"}}
        operation.setdefault("parameters", []).append(parameter)
    if extra.request:
        operation["requestBody"] = {
            "required": True,
            "description": extra.request.description,
            "content": {extra.request.media: {"schema": extra.request.schema}},
        }
    if "requestBody" in operation:
        media, content = next(iter(operation["requestBody"]["content"].items()))
        example = _sample_request(route)
        if example is None:
            problems.append(f"{key}: its sample event has no body to serve as the request example")
        else:
            content["example"] = example if media == "application/json" else example.decode("utf-8-sig")
    failures = _failures(route, handler, operation, extra)
    for status in sorted({failure.status for failure in failures}):
        examples = {failure.code: {"value": failure.body()} for failure in failures if failure.status == status}
        operation["responses"][str(status)] = {
            "description": notes.DESCRIPTIONS[status],
            "content": {"application/json": {"schema": ERROR_REF, "examples": examples}},
        }
    operation["security"] = [] if route.public else [{"bearer": []}]
    return problems


def _success(key: str, media: str | None, schema: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    if media is None:
        return {"description": "Done; no body."}, []
    if media.startswith("text/"):
        kind = media.split(";")[0]
        return {"description": "Success.", "content": {kind: {"schema": {"type": "string"}, "example": TEXT[key]}}}, []
    # A route answering one of several models (login: tokens or an MFA challenge) shows one example each.
    models = [ref.get("$ref", "").rpartition("/")[2] for ref in schema.get("anyOf", [schema])]
    missing = [model or str(schema) for model in models if model not in RESPONSES]
    if missing:
        return {"description": "Success.", "content": {media: {"schema": schema}}}, [
            f"{key}: no response example for {name}: add it to comptasecure/http/openapi_examples.py"
            for name in missing
        ]
    if len(models) == 1:
        return {"description": "Success.", "content": {media: {"schema": schema, "example": RESPONSES[models[0]]}}}, []
    examples = {model: {"value": RESPONSES[model]} for model in models}
    return {"description": "Success.", "content": {media: {"schema": schema, "examples": examples}}}, []


def _failures(
    route: template.Route, handler: Handler, operation: dict[str, Any], extra: notes.Notes
) -> list[notes.Failure]:
    parameters = operation.get("parameters", [])
    places = {parameter["in"] for parameter in parameters}
    # A path id with a shape (a pattern, a length) is refused with 422 when it has another.
    shaped_path = any(
        parameter["in"] == "path" and parameter["schema"].keys() - {"title", "type"} for parameter in parameters
    )
    json_body = "application/json" in operation.get("requestBody", {}).get("content", {}) and not extra.request
    failures = []
    if json_body:
        failures += [notes.MALFORMED, notes.UNSUPPORTED_MEDIA_TYPE, notes.INVALID]
    if "query" in places:
        failures += [notes.WRONG_TYPE, notes.INVALID]
    if not route.public:
        failures.append(notes.UNAUTHENTICATED)
    if handler.checks_role:
        failures.append(notes.FORBIDDEN)
    if "path" in places:
        failures.append(notes.NOT_FOUND)
    if shaped_path:
        failures.append(notes.INVALID)
    return failures + list(extra.failures)


def _handler(route: template.Route) -> Handler:
    """Read the route's function in its module: its `Response(status, media, …)` calls and role check."""
    source = Path(route.function.module().__file__ or "")
    tree = ast.parse(source.read_text())
    rule = re.sub(r"\{(\w+)\}", r"<\1>", route.path)
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef) and any(
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr == route.method.lower()
            and decorator.args
            and isinstance(decorator.args[0], ast.Constant)
            and decorator.args[0].value == rule
            for decorator in function.decorator_list
        ):
            return _read(function)
    raise LookupError(f"{route.method} {route.path}: no handler in {source}")


def _read(function: ast.FunctionDef) -> Handler:
    successes: dict[int, str | None] = {}
    checks_role = False
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Attribute) and node.func.attr == "require":
            checks_role = True
        if isinstance(node.func, ast.Name) and node.func.id == "Response" and node.args:
            status = node.args[0]
            if isinstance(status, ast.Constant) and isinstance(status.value, int):
                successes[status.value] = _media(node.args[1:])
    return Handler(successes or {200: "application/json"}, checks_role)


def _media(arguments: list[ast.expr]) -> str | None:
    """`Response(204)` has no body; `Response(202, content_types.APPLICATION_JSON, None)` neither."""
    if len(arguments) < 2 or (isinstance(arguments[1], ast.Constant) and arguments[1].value is None):
        return None
    media = arguments[0]
    if isinstance(media, ast.Constant) and isinstance(media.value, str):
        return media.value
    return "application/json"


def _sample_request(route: template.Route) -> Any:
    """The body of the route's sample event, events/<area>/<operation>.json."""
    area = Path(route.function.code_uri).name
    operation = route.function.handler.rpartition(".")[0]
    event = json.loads((template.ROOT / "events" / area / f"{operation}.json").read_text())
    body = event.get("body")
    if not body:
        return None
    if event.get("isBase64Encoded"):
        return base64.b64decode(body)
    return json.loads(body)


def _invalid_examples(document: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            contents = [("request", operation.get("requestBody", {}).get("content", {}))]
            contents += [(status, response.get("content", {})) for status, response in operation["responses"].items()]
            for where, content in contents:
                for media in content.values():
                    values = [media["example"]] if "example" in media else []
                    values += [example["value"] for example in media.get("examples", {}).values()]
                    validator = jsonschema_rs.validator_for({**media["schema"], "components": document["components"]})
                    problems.extend(
                        f"{method.upper()} {path} {where}: example does not match its schema: {error.message}"
                        for value in values
                        for error in validator.iter_errors(value)
                    )
    return problems


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
    document, failures = generate()
    if arguments.write:
        OPENAPI.write_text(document)
        print(f"wrote {OPENAPI.name}")
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
