"""Every error leaves as API.md's body, {"error": {"code", "message", "field"}}, built here from a kind of
the catalogue (comptasecure.errors): a domain error as raised, a request that failed validation mapped
to the kind that says what to correct."""

import ast
import json
import re
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from comptasecure import errors
from comptasecure.errors import DomainError
from comptasecure.observability import logger
from comptasecure.validation import CONTROL_CHARACTER

# Wrong JSON or wrong types are a malformed request (400); anything else is a well-formed but
# invalid value (422), per API.md. A value outside an enumeration is a wrong type too (JSON Schema's
# `enum`), answered with the values allowed.
MALFORMED_TYPES = {
    "json_invalid",
    "model_type",
    "model_attributes_type",
    "dict_type",
    "list_type",
    "string_type",
    "int_type",
    "int_parsing",
    "bool_type",
    "bool_parsing",
    "float_type",
    "float_parsing",
    "literal_error",
    "enum",
}
ENUMERATIONS = {"literal_error", "enum"}
# A pydantic `expected` context lists the allowed values as Python literals: "'admin' or 'member'".
_LITERAL = re.compile(r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s,]+""")


def error_body(error: DomainError) -> dict[str, Any]:
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.field:
        body["field"] = error.field
    return {"error": body}


def _headers(error: DomainError) -> dict[str, str]:
    return {"WWW-Authenticate": error.challenge} if error.challenge else {}


def log_refusal(status: int, code: str | None) -> None:
    """A refusal is logged once, at INFO, with its status and code (never the request's values)."""
    logger.info("request refused", extra={"status": status, "error_code": code})


def refuse(error: DomainError) -> dict[str, Any]:
    """A refusal made before the resolver runs: logged, and answered as the Lambda proxy answer."""
    log_refusal(error.status, error.code)
    return proxy_response(error)


def from_domain(error: DomainError) -> Response[Any]:
    return Response(
        status_code=error.status,
        content_type=content_types.APPLICATION_JSON,
        body=error_body(error),
        headers=_headers(error),
    )


def proxy_response(error: DomainError) -> dict[str, Any]:
    """The error as the Lambda proxy answer itself, for refusals made before the resolver runs."""
    return {
        "statusCode": error.status,
        "headers": {"Content-Type": content_types.APPLICATION_JSON, **_headers(error)},
        "body": json.dumps(error_body(error)),
        "isBase64Encoded": False,
    }


def from_validation(error: RequestValidationError) -> Response[Any]:
    return from_domain(validation_error(error.errors()))


def validation_error(details: Any) -> DomainError:
    """The one error a request reports when it breaks several rules, always chosen the same way: what
    makes it malformed (400) first, then an unknown field (often the misspelling of a missing one:
    `{"mail": …}` for `email`), then a missing field, then an invalid value; within a rank, the model's
    field order."""
    first = min(details, key=_rank)
    kind = str(first.get("type", ""))
    field = _field_name(first.get("loc", ()))
    context = first.get("ctx") or {}
    if kind == "json_invalid":
        return errors.InvalidJson()
    if not field and kind in MALFORMED_TYPES | {"missing"}:
        return errors.InvalidBody()
    if not field:
        return errors.InvalidRequest(reason=str(context.get("error") or first.get("msg", "")))
    if kind in ENUMERATIONS:
        return errors.NotAllowedValue(field=field, allowed=allowed_values(str(context.get("expected", ""))))
    if kind in MALFORMED_TYPES:
        return errors.WrongType(field=field)
    if kind == "extra_forbidden":
        return errors.UnknownField(field=field)
    if kind == "missing":
        return errors.MissingField(field=field)
    if field == "code":
        return errors.InvalidCode()
    if kind == "string_too_long":
        return errors.TextTooLong(field=field, max_length=int(context.get("max_length", 0)))
    if kind == "string_too_short":
        return errors.EmptyText(field=field)
    if kind == CONTROL_CHARACTER:
        return errors.ControlCharacter(field=field)
    if kind == "value_error" and context.get("error"):
        return errors.InvalidValue(field=field, reason=str(context["error"]))
    return errors.InvalidFieldValue(field=field)


def _rank(detail: dict[str, Any]) -> int:
    kind = str(detail.get("type", ""))
    if kind == "json_invalid":
        return 0
    if not _field_name(detail.get("loc", ())):
        return 1
    if kind in MALFORMED_TYPES:
        return 2
    return {"extra_forbidden": 3, "missing": 4}.get(kind, 5)


def allowed_values(expected: str) -> list[str]:
    """The values of pydantic's "'a', 'b' or 'c'", as JSON would write them (strings bare)."""
    values = []
    for token in _LITERAL.findall(expected):
        if token == "or":
            continue
        try:
            value = ast.literal_eval(token)
        except (ValueError, SyntaxError):
            value = token
        values.append(value if isinstance(value, str) else json.dumps(value))
    return values


def _field_name(location: Any) -> str | None:
    parts = [str(part) for part in location if part not in ("body", "query", "path")]
    return ".".join(parts) or None
