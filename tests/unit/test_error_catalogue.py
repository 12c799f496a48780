"""One catalogue of errors (comptasecure.errors): the code raises from it, the OpenAPI document is
generated from it, and nothing can drift between them.

Every error body is a kind declared once in the catalogue (no message or code is written anywhere
else); every kind the code instantiates is in the committed document with its status, code and
message, unless no route can answer it; and every error a route's code can raise is documented for
that route. What a route's code can raise is read from the code itself: the kinds instantiated in the
handler and in every function of ours it calls, transitively (module functions, by name).
"""

import ast
import inspect
import json
import re
import string
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from comptasecure import errors
from comptasecure.errors import DomainError
from local import template
from local.template import ROOT

LAYER = ROOT / "layers" / "common" / "python"
CATALOGUE = LAYER / "comptasecure" / "errors.py"
DOCUMENT: dict[str, Any] = json.loads((ROOT / "openapi.json").read_text())
KINDS: dict[str, type[DomainError]] = {
    name: kind
    for name, kind in vars(errors).items()
    if isinstance(kind, type) and issubclass(kind, DomainError) and kind.__module__ == errors.__name__
}

# Kinds the code instantiates that no route answers, each with its reason.
NOT_OVER_HTTP = {
    "InternalError": "a fault of ours: never an outcome a route documents",
    "InsufficientCredits": "ConsumeCreditsFunction, IAM-invoked by the analysis service",
    "MonthlyAnalysisLimitReached": "ConsumeCreditsFunction, IAM-invoked by the analysis service",
    "AnalysisIdReused": "ConsumeCreditsFunction, IAM-invoked by the analysis service",
    "InvalidAmount": "support's and the analysis service's functions, IAM-invoked",
    "InvalidCreditType": "support's and the analysis service's functions, IAM-invoked",
    "UnknownAccountType": "SetAccountTypeFunction, support only",
    "AccountNotDeleted": "PurgeAccountFunction, invoked by DELETE /account after the account is gone",
    "NotInvited": "the identity workflow's invitation task (functions/workflow/send_invitation.py)",
}
# Kinds a route's code reaches that it never answers, each with its reason.
UNREACHABLE = {
    ("PATCH /users/{id}", "NameWithControlCharacter"): "the body's model refuses a control character first",
}


def source_files() -> Iterator[Path]:
    yield from (ROOT / "functions").rglob("*.py")
    yield from LAYER.rglob("*.py")


def placeholder_regex(template_text: str) -> str:
    parts = []
    for literal, name, _, _ in string.Formatter().parse(template_text):
        parts.append(re.escape(literal))
        if name is not None:
            parts.append(".+?")
    return "".join(parts)


def kinds_of(status: int | None, body: dict[str, Any]) -> set[str]:
    """The catalogue's kinds that answer this body with this status (any, for a batch's row)."""
    error = body["error"]
    return {
        name
        for name, kind in KINDS.items()
        if status in (None, kind.status)
        and re.fullmatch(placeholder_regex(kind.code), error["code"])
        and re.fullmatch(placeholder_regex(kind.message), error["message"])
    }


@cache
def documented() -> dict[str, set[str]]:
    """Per operation, the kinds its error answers show."""
    found: dict[str, set[str]] = {}
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            names = found.setdefault(f"{method.upper()} {path}", set())
            for status, response in operation["responses"].items():
                for media in response.get("content", {}).values():
                    for example in media.get("examples", {}).values():
                        if int(status) >= 400:
                            names |= kinds_of(int(status), example["value"])
                        for row in example["value"].get("results", []) if int(status) == 207 else ():
                            names |= kinds_of(None, row) if "error" in row else set()
    return found


# --- What the code can raise, read from the code ------------------------------------------------------


class Module:
    """A module of ours: its functions, and what its names import."""

    def __init__(self, tree: ast.Module) -> None:
        self.functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
        self.modules: dict[str, str] = {}  # local name -> module of ours
        self.imported: dict[str, tuple[str, str]] = {}  # local name -> (module, function)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("comptasecure"):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    if module_path(full) is not None:
                        self.modules[alias.asname or alias.name] = full
                    else:
                        self.imported[alias.asname or alias.name] = (node.module, alias.name)


def module_path(name: str) -> Path | None:
    path = LAYER / Path(*name.split("."))
    return next(
        (candidate for candidate in (path.with_suffix(".py"), path / "__init__.py") if candidate.exists()), None
    )


@cache
def module(name: str) -> Module:
    path = module_path(name) if not name.startswith("/") else Path(name)
    return Module(ast.parse(path.read_text()) if path else ast.Module(body=[], type_ignores=[]))


def reachable_kinds(module_name: str, function: str, seen: set[tuple[str, str]]) -> set[str]:
    if (module_name, function) in seen:
        return set()
    seen.add((module_name, function))
    scope = module(module_name)
    node = scope.functions.get(function)
    found: set[str] = set()
    for call in (sub for sub in ast.walk(node) if isinstance(sub, ast.Call)) if node else ():
        callee = call.func
        if isinstance(callee, ast.Name):
            if (
                callee.id in KINDS
                and scope.imported.get(callee.id, ("comptasecure.errors",))[0] == "comptasecure.errors"
            ):
                found.add(callee.id)
            elif callee.id in scope.functions:
                found |= reachable_kinds(module_name, callee.id, seen)
            elif callee.id in scope.imported:
                found |= reachable_kinds(*scope.imported[callee.id], seen)
        elif isinstance(callee, ast.Attribute) and isinstance(callee.value, ast.Name):
            owner = scope.modules.get(callee.value.id)
            if owner == "comptasecure.errors":
                found.add(callee.attr)
            elif owner is not None:
                found |= reachable_kinds(owner, callee.attr, seen)
    return found


def route_kinds(route: template.Route) -> set[str]:
    handler = str(ROOT / route.function.code_uri / f"{route.function.handler.rpartition('.')[0]}.py")
    seen: set[tuple[str, str]] = set()
    return {kind for function in module(handler).functions for kind in reachable_kinds(handler, function, seen)}


ROUTES = {f"{route.method} {route.path}": route for route in template.routes()}


# --- The tests ----------------------------------------------------------------------------------------


def test_no_error_body_is_declared_outside_the_catalogue() -> None:
    for path in source_files():
        if path == CATALOGUE:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                declared = {
                    target.id
                    for statement in node.body
                    if isinstance(statement, ast.Assign)
                    for target in statement.targets
                    if isinstance(target, ast.Name)
                }
                assert not declared & {"status", "code", "message"}, f"{path}: {node.name} declares an error body"
            if isinstance(node, ast.Call):
                keywords = {keyword.arg for keyword in node.keywords}
                assert (
                    not keywords & {"code", "message"}
                    or not isinstance(node.func, ast.Name)
                    or (node.func.id not in KINDS)
                ), f"{path}:{node.lineno}: an error given its own code or message"


def test_a_code_has_one_status_and_each_kind_its_own_text() -> None:
    statuses: dict[str, set[int]] = {}
    texts = set()
    for kind in KINDS.values():
        statuses.setdefault(kind.code, set()).add(kind.status)
        assert (kind.code, kind.message, kind.field) not in texts, f"{kind.__name__} repeats another kind"
        texts.add((kind.code, kind.message, kind.field))
        assert kind.__doc__, f"{kind.__name__} needs a docstring: what it means for a developer"
    assert {code: found for code, found in statuses.items() if len(found) > 1} == {}


@pytest.mark.parametrize("kind", KINDS.values(), ids=KINDS)
def test_a_kind_raised_with_parameters_asks_for_them_all(kind: type[DomainError]) -> None:
    needed = kind.placeholders()
    if needed:
        assert "__init__" in vars(kind), f"{kind.__name__} must take {needed} in its __init__"
        accepted = set(inspect.signature(kind.__init__).parameters) - {"self", "field"}
        assert needed <= accepted, kind.__name__


def test_every_kind_the_code_raises_is_in_the_document_with_its_message() -> None:
    instantiated = set()
    for path in source_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                if name in KINDS:
                    instantiated.add(name)
    in_document = set().union(*documented().values())
    assert instantiated - in_document - NOT_OVER_HTTP.keys() == set()
    assert NOT_OVER_HTTP.keys() <= instantiated, "a kind no longer raised is still excused"


def test_no_route_can_raise_a_kind_excused_as_answered_by_no_route() -> None:
    for key, route in ROUTES.items():
        assert route_kinds(route) & NOT_OVER_HTTP.keys() - {"InternalError"} == set(), key


def takes_a_cursor(key: str) -> bool:
    operation = DOCUMENT["paths"][ROUTES[key].path][ROUTES[key].method.lower()]
    return any(parameter["name"] == "cursor" for parameter in operation.get("parameters", []))


@pytest.mark.parametrize("key", ROUTES)
def test_every_error_a_routes_code_can_raise_is_documented_for_it(key: str) -> None:
    unreachable = {kind for route, kind in UNREACHABLE if route == key}
    # A cursor is refused only when a client sent it; the store pages through its own keys elsewhere.
    foreign_cursor = set() if takes_a_cursor(key) else {"InvalidCursor"}
    missing = route_kinds(ROUTES[key]) - documented()[key] - unreachable - foreign_cursor
    assert missing == set(), f"{key} can raise {sorted(missing)}: list them in comptasecure/http/openapi.py ROUTES"
    assert unreachable <= route_kinds(ROUTES[key]), "an excuse for a kind the route no longer reaches"


def test_every_documented_error_is_a_kind_of_the_catalogue() -> None:
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                for media in response.get("content", {}).values():
                    for example in media.get("examples", {}).values() if int(status) >= 400 else ():
                        assert kinds_of(int(status), example["value"]), f"{method} {path} {status}: {example}"


def test_the_analysis_sees_errors_raised_deep_in_the_domain() -> None:
    # The analysis must follow calls through modules: signup's weak password is raised in passwords.py.
    assert {"CommonPassword", "EmailTaken"} <= route_kinds(ROUTES["POST /auth/signup"])
    assert "BadGateway" in route_kinds(ROUTES["PUT /billing/address"])
