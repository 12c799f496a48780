"""The OpenAPI document, generated from the handlers' routes, docstrings and pydantic models.

--write regenerates openapi.json; --check fails when the committed file is stale, when a route of the
code is not in API.md (the binding contract, ../shared/API.md), when an operation has no description
(its handler's docstring), a parameter none, or an example is missing or does not match its schema.

Powertools knows each route's models. The rest is derived here from the code, the same way for every
route (see comptasecure.http.openapi): the summary and description from the handler's docstring, who
may call it from its `require(...)` role check, its tag from its area, its operation id from its
function's name, the success status and media type from its `Response(...)` calls, and the errors of
its shape (401 without the template's public flag, 403 with a role check, 400/415/422 with a JSON
body: the examples are what the body's model answers to a misspelled, missing, mistyped, too long or
invalid field). Each route's own domain errors come from comptasecure.http.openapi.ROUTES; every error
is a kind of the catalogue (comptasecure.errors), shown with its code, message and meaning. Request
examples are the bodies of the routes' sample events, response examples come from
comptasecure.http.openapi_examples.
"""

import argparse
import ast
import base64
import copy
import http
import inspect
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import jsonschema_rs
from pydantic import BaseModel, ValidationError

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

from comptasecure import errors  # noqa: E402
from comptasecure.errors import DomainError  # noqa: E402
from comptasecure.http import idempotency  # noqa: E402
from comptasecure.http import openapi as notes  # noqa: E402
from comptasecure.http.app import build_app  # noqa: E402
from comptasecure.http.errors import error_body, validation_error  # noqa: E402
from comptasecure.http.openapi_examples import RESPONSES, TEXT  # noqa: E402
from local import template  # noqa: E402

OPENAPI = template.ROOT / "openapi.json"
API_MD = template.ROOT.parent / "shared" / "API.md"
ERROR_REF = {"$ref": "#/components/schemas/Error"}
# Powertools' own validation bodies: the edge never answers them (errors.from_validation maps them).
POWERTOOLS_SCHEMAS = ("HTTPValidationError", "ValidationError", "ResponseValidationError")
SUMMARY_MAX = 80
DESCRIPTION = """The HTTP contract of ComptaSecure's "Mon Compte" back end with its web front end (API.md).

**Authentication.** Every route but those of *Authentication*, the invitation's acceptance and Stripe's \
webhook takes `Authorization: Bearer <access_token>` (POST /auth/login). An access token lasts 15 minutes: \
on 401 `token_expired`, renew it with POST /auth/refresh and retry; on `session_ended`, log in again.

**Errors.** Every 4xx and 5xx answer is `{"error": {"code", "message", "field"?}}`: `code` is stable and \
each answer below lists the codes it may carry with what they mean; `message` is a French sentence to show \
the person; `field` names the value to correct. A body with several problems reports one, always chosen \
the same way: a malformed one (400: not JSON, a wrong type, a value outside its list) first, then an \
unknown field (often the misspelling of a missing one), then a missing field, then an invalid value.

**Lists** are `{"items": [...], "next_cursor": "<opaque or null>"}`, with `?limit=` (default 50, at most \
100) and `?cursor=` (the previous page's `next_cursor`)."""


@dataclass(frozen=True)
class Handler:
    """What a route's handler shows in its code."""

    name: str
    docstring: str | None
    successes: dict[int, str | None]  # status -> media type (None: no body)
    roles: tuple[str, ...] | None  # the roles of its role check; None: every user of the account


def generate() -> tuple[str, list[str]]:
    """The document, and what it lacks (descriptions, examples)."""
    routes = template.routes()
    app = build_app(*(route.function.module().router for route in routes))
    document: dict[str, Any] = json.loads(
        app.get_openapi_json_schema(title="ComptaSecure — Mon Compte", version="1.0.0", description=DESCRIPTION)
    )
    components = document.setdefault("components", {})
    for name in POWERTOOLS_SCHEMAS:
        components["schemas"].pop(name, None)
    components["schemas"]["Error"] = notes.ERROR_SCHEMA
    components["securitySchemes"] = {"bearer": notes.BEARER_SCHEME}
    problems: list[str] = []
    areas: set[str] = set()
    operation_ids: dict[str, str] = {}
    for route in routes:
        key = f"{route.method} {route.path}"
        operation = document["paths"][route.path][route.method.lower()]
        handler = _handler(route)
        area = Path(route.function.code_uri).name
        areas.add(area)
        problems.extend(_describe(operation, key, route, handler, area))
        if handler.name in operation_ids:
            problems.append(f"{key}: operation id {handler.name} is also {operation_ids[handler.name]}'s")
        operation_ids[handler.name] = key
        problems.extend(_complete(operation, route, handler))
    document["tags"] = [
        {"name": tag.name, "description": tag.description} for area, tag in notes.TAGS.items() if area in areas
    ]
    problems.extend(_invalid_examples(document))
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n", problems


def _describe(operation: dict[str, Any], key: str, route: template.Route, handler: Handler, area: str) -> list[str]:
    """Summary, description, tag and operation id, from the handler and its area."""
    problems = []
    summary, _, body = (handler.docstring or "").partition("\n\n")
    summary = " ".join(summary.split()).rstrip(".")
    where = f"functions/{area}/{route.function.handler.rpartition('.')[0]}.py"
    if not summary or not body.strip():
        problems.append(
            f"{key}: {where} needs a docstring: a first line (the summary), a blank line, then what the route "
            "does and what it emails (the description)"
        )
    elif len(summary) > SUMMARY_MAX:
        problems.append(f"{key}: the summary (first line of {where}'s docstring) is over {SUMMARY_MAX} characters")
    if area not in notes.TAGS:
        problems.append(f"{key}: area {area} has no tag: add it to TAGS in comptasecure/http/openapi.py")
    else:
        operation["tags"] = [notes.TAGS[area].name]
    operation["summary"] = summary
    paragraphs = [" ".join(paragraph.split()) for paragraph in body.split("\n\n")]
    operation["description"] = "\n\n".join([*paragraphs, f"**Who may call:** {_who(route, handler)}"]).strip()
    operation["operationId"] = handler.name
    return problems


def _who(route: template.Route, handler: Handler) -> str:
    if route.public:
        return "anyone: no token."
    if handler.roles is None:
        return "every user of the account (owner, admins, members)."
    names = [notes.ROLES[role] for role in handler.roles]
    return f"{' and '.join(names)} (R-ROLE); others get 403."


def _complete(operation: dict[str, Any], route: template.Route, handler: Handler) -> list[str]:
    key = f"{route.method} {route.path}"
    extra = notes.ROUTES.get(key, notes.Notes())
    problems: list[str] = []
    success_schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    operation["responses"] = {}
    for status, media in handler.successes.items():
        if status in extra.also:
            continue  # the route's notes describe this answer's body themselves
        response, problem = _success(key, status, media, success_schema)
        operation["responses"][str(status)] = response
        problems.extend(problem)
    if extra.rows:
        _row_errors(operation["responses"]["207"], extra.rows)
    for status, body in extra.also.items():
        operation["responses"][str(status)] = {
            "description": body.description,
            "content": {body.media: {"schema": body.schema, "example": body.example}},
        }
    headers = (*extra.headers, notes.IDEMPOTENCY_KEY) if idempotency.keyed(key) else extra.headers
    for header in headers:
        parameter = {
            "in": "header",
            "name": header.name,
            "required": header.required,
            "description": header.description,
            "schema": {"type": "string"},
        }
        operation.setdefault("parameters", []).append(parameter)
    problems.extend(
        f"{key}: parameter {parameter['name']} has no description: describe it where its type is declared "
        "(comptasecure/http/params.py for path ids)"
        for parameter in operation.get("parameters", [])
        if not parameter.get("description")
    )
    if extra.request:
        operation["requestBody"] = {
            "required": True,
            "description": extra.request.description,
            "content": {extra.request.media: {"schema": extra.request.schema}},
        }
    sample = None
    if "requestBody" in operation:
        media, content = next(iter(operation["requestBody"]["content"].items()))
        sample = _sample_request(route)
        if sample is None:
            problems.append(f"{key}: its sample event has no body to serve as the request example")
        else:
            content["example"] = sample if media == "application/json" else sample.decode("utf-8-sig")
    failures = _failures(route, handler, operation, extra, sample)
    if any(parameter["in"] == "path" for parameter in operation.get("parameters", [])) and not any(
        failure.status == 404 for failure in failures
    ):
        problems.append(f"{key}: an id in its path, but no 404 in its ROUTES entry (comptasecure/http/openapi.py)")
    for status in sorted({failure.status for failure in failures}):
        operation["responses"][str(status)] = _failure_response([f for f in failures if f.status == status])
    operation["security"] = [] if route.public else [{"bearer": []}]
    return problems


def _success(key: str, status: int, media: str | None, schema: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    description = http.HTTPStatus(status).phrase
    if media is None:
        return {"description": f"{description}: no body."}, []
    if media.startswith("text/"):
        kind = media.split(";")[0]
        content = {kind: {"schema": {"type": "string"}, "example": TEXT[key]}}
        return {"description": description, "content": content}, []
    # A route answering one of several models (login: tokens or an MFA challenge) shows one example each.
    models = [ref.get("$ref", "").rpartition("/")[2] for ref in schema.get("anyOf", [schema])]
    missing = [model or str(schema) for model in models if model not in RESPONSES]
    if missing:
        return {"description": description, "content": {media: {"schema": schema}}}, [
            f"{key}: no response example for {name}: add it to comptasecure/http/openapi_examples.py"
            for name in missing
        ]
    if len(models) == 1:
        return {"description": description, "content": {media: {"schema": schema, "example": RESPONSES[models[0]]}}}, []
    examples = {model: {"value": RESPONSES[model]} for model in models}
    return {"description": description, "content": {media: {"schema": schema, "examples": examples}}}, []


def _row_errors(response: dict[str, Any], rows: tuple[DomainError, ...]) -> None:
    """A batch's 207: why a row may fail, and an example of each."""
    (media,) = response["content"].values()
    examples = {"invited": {"value": media.pop("example")}}
    lines = []
    for row in rows:
        lines.append(f"- `{row.code}`: {_meaning(type(row))}")
        result = {"email": "julien.moreau@cabinet-dupont.fr", "status": "error", "error": error_body(row)["error"]}
        examples.setdefault(row.code, {"value": {"results": [result]}})
    media["examples"] = examples
    response["description"] += ": each row is reported on its own. A row's `error` is one of:\n" + "\n".join(lines)


def _meaning(kind: type[DomainError]) -> str:
    return " ".join((kind.__doc__ or "").split())


def _failure_response(failures: list[DomainError]) -> dict[str, Any]:
    """One error status of a route: what each of its codes means, and an example of each."""
    kinds: dict[type[DomainError], DomainError] = {}
    for failure in failures:
        kinds.setdefault(type(failure), failure)
    codes = [failure.code for failure in kinds.values()]
    examples = {}
    lines = []
    for kind, failure in kinds.items():
        name = failure.code if codes.count(failure.code) == 1 else f"{failure.code} ({kind.__name__})"
        examples[name] = {"value": error_body(failure)}
        lines.append(f"- `{failure.code}`: {_meaning(kind)}")
    response: dict[str, Any] = {
        "description": "\n".join(lines),
        "content": {"application/json": {"schema": ERROR_REF, "examples": examples}},
    }
    if all(failure.challenge for failure in kinds.values()):
        response["headers"] = {"WWW-Authenticate": notes.WWW_AUTHENTICATE}
    return response


def _failures(
    route: template.Route, handler: Handler, operation: dict[str, Any], extra: notes.Notes, sample: Any
) -> list[DomainError]:
    parameters = operation.get("parameters", [])
    failures: list[DomainError] = []
    json_body = "application/json" in operation.get("requestBody", {}).get("content", {}) and not extra.request
    if json_body:
        failures += [*notes.JSON_BODY, *_body_failures(route, handler, sample)]
    for parameter in parameters:
        if parameter["in"] == "query":
            failures += _query_failures(parameter)
        # A path id with a shape (a pattern) is refused with 422 when it has another.
        if parameter["in"] == "path" and "pattern" in parameter["schema"]:
            failures.append(validation_error([{"type": "string_pattern_mismatch", "loc": ("path", parameter["name"])}]))
    if not route.public:
        failures += notes.UNAUTHENTICATED
    if handler.roles is not None:
        failures.append(errors.Forbidden())
    if idempotency.keyed(f"{route.method} {route.path}"):
        failures += notes.IDEMPOTENT
    return failures + list(extra.errors)


def _query_failures(parameter: dict[str, Any]) -> list[DomainError]:
    """A query parameter given twice is a list: a wrong type (400) for a plain string or number; each is
    refused out of its bounds (422)."""
    name = parameter["name"]
    failures: list[DomainError] = []
    if name == "cursor":
        failures.append(errors.InvalidCursor())
    for option in parameter["schema"].get("anyOf", [parameter["schema"]]):
        if option.get("type") in ("string", "integer") and "format" not in option:
            failures.append(validation_error([{"type": "string_type", "loc": ("query", name)}]))
        if option.get("type") == "integer":
            failures.append(validation_error([{"type": "greater_than_equal", "loc": ("query", name)}]))
        if "maxLength" in option:
            context = {"max_length": option["maxLength"]}
            failures.append(validation_error([{"type": "string_too_long", "loc": ("query", name), "ctx": context}]))
    return failures


def _body_failures(route: template.Route, handler: Handler, sample: Any) -> list[DomainError]:
    """What the body's model answers to typical mistakes, as the route would answer them."""
    model = _body_model(route, handler)
    if model is None or not isinstance(sample, dict) or not sample:
        return []
    schema = model.model_json_schema()
    properties: dict[str, Any] = schema.get("properties", {})
    first = next(iter(sample))
    misspelled = first[1:] if first[1:] not in properties else f"{first}_"
    wrong = 12345 if isinstance(sample[first], str) else "12345"
    bodies: list[dict[str, Any]] = [
        {(misspelled if name == first else name): value for name, value in sample.items()},
        {},
        {**sample, first: wrong},
    ]
    for name, prop in properties.items():
        options = prop.get("anyOf", [prop])
        if any("enum" in option for option in options):
            bodies.append({**sample, name: "?"})
        if any(option.get("type") == "string" and "maxLength" in option for option in options):
            longest = max(option.get("maxLength", 0) for option in options)
            bodies.append({**sample, name: "a" * (longest + 1)})
        if any(option.get("type") == "string" for option in options):
            bodies += [{**sample, name: ""}, {**sample, name: "a\tb"}, {**sample, name: "!"}]
    found: dict[type[DomainError], DomainError] = {}
    for body in bodies:
        try:
            model.model_validate(copy.deepcopy(body))
        except ValidationError as error:
            failure = validation_error(error.errors())
            found.setdefault(type(failure), failure)
    return list(found.values())


def _body_model(route: template.Route, handler: Handler) -> type[BaseModel] | None:
    function = getattr(route.function.module(), handler.name)
    for parameter in inspect.signature(function).parameters.values():
        annotation = parameter.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return annotation
    return None


def _handler(route: template.Route) -> Handler:
    """Read the route's function in its module: its docstring, `Response(status, media, …)` calls, role check."""
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
    roles: tuple[str, ...] | None = None
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Attribute) and node.func.attr == "require":
            roles = tuple(role for argument in node.args for role in _roles(argument))
        if isinstance(node.func, ast.Name) and node.func.id == "Response" and node.args:
            status = node.args[0]
            if isinstance(status, ast.Constant) and isinstance(status.value, int):
                successes[status.value] = _media(node.args[1:])
    return Handler(function.name, ast.get_docstring(function), successes or {200: "application/json"}, roles)


def _roles(argument: ast.expr) -> tuple[str, ...]:
    """`Role.OWNER` is the owner; `*MANAGERS` the owner and admins."""
    if isinstance(argument, ast.Attribute):
        return (argument.attr.lower(),)
    if isinstance(argument, ast.Starred) and isinstance(argument.value, ast.Name) and argument.value.id == "MANAGERS":
        return ("owner", "admin")
    raise LookupError(f"a role check the OpenAPI generator cannot read: {ast.unparse(argument)}")


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
    parsed = json.loads(document)
    ours = {(method.upper(), _shape(path)) for path, item in parsed["paths"].items() for method in item}
    print(f"openapi: {len(ours)} operations under {len(parsed['tags'])} tags")
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
