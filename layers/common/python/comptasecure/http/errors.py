"""Every error leaves as API.md's body: {"error": {"code", "message", "field"}}, mapped here once."""

import json
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from comptasecure.errors import DomainError
from comptasecure.validation import CONTROL_CHARACTER

# Wrong JSON or wrong types are a malformed request (400); anything else is a well-formed but
# invalid value (422), per API.md.
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


UNSUPPORTED_MEDIA_TYPE = (
    415,
    "unsupported_media_type",
    "Le corps de la requête doit être envoyé en JSON (Content-Type: application/json).",
)


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if field:
        error["field"] = field
    return {"error": error}


def error_response(status: int, code: str, message: str, field: str | None = None) -> Response[Any]:
    return Response(
        status_code=status, content_type=content_types.APPLICATION_JSON, body=error_body(code, message, field)
    )


def proxy_response(error: tuple[int, str, str], field: str | None = None) -> dict[str, Any]:
    """The error as the Lambda proxy answer itself, for refusals made before the resolver runs."""
    status, code, message = error
    return {
        "statusCode": status,
        "headers": {"Content-Type": content_types.APPLICATION_JSON},
        "body": json.dumps(error_body(code, message, field)),
        "isBase64Encoded": False,
    }


def from_domain(error: DomainError) -> Response[Any]:
    return error_response(error.status, error.code, error.message, error.field)


def from_validation(error: RequestValidationError) -> Response[Any]:
    first = error.errors()[0]
    kind = str(first.get("type", ""))
    field = _field_name(first.get("loc", ()))
    if kind == "json_invalid":
        return error_response(400, "invalid_json", "Le corps de la requête n'est pas un JSON valide.")
    if kind == "missing" and not field:
        return error_response(400, "invalid_body", "Le corps de la requête doit être un objet JSON.")
    if kind in MALFORMED_TYPES:
        if not field:
            return error_response(400, "invalid_body", "Le corps de la requête doit être un objet JSON.")
        return error_response(400, "wrong_type", f"Le champ « {field} » n'a pas le bon type.", field)
    return error_response(422, _code_for(kind, field), _message_for(kind, field, first), field)


def _field_name(location: Any) -> str | None:
    parts = [str(part) for part in location if part not in ("body", "query", "path")]
    return ".".join(parts) or None


def _code_for(kind: str, field: str | None) -> str:
    if kind == "missing":
        return "missing_field"
    if kind == "extra_forbidden":
        return "unknown_field"
    if field == "code":
        return "invalid_code"
    return f"invalid_{field.split('.')[-1]}" if field else "invalid_input"


def _message_for(kind: str, field: str | None, detail: dict[str, Any]) -> str:
    name = f"« {field} »" if field else "de la requête"
    context = detail.get("ctx") or {}
    if kind == "missing":
        return f"Le champ {name} est obligatoire."
    if kind == "extra_forbidden":
        return f"Le champ {name} n'est pas reconnu."
    if kind == "string_too_long":
        return f"Le champ {name} dépasse {context.get('max_length')} caractères."
    if kind == "string_too_short":
        return f"Le champ {name} ne peut pas être vide."
    if kind == CONTROL_CHARACTER:
        return f"Le champ {name} ne peut pas contenir de caractère de contrôle (retour à la ligne, tabulation, NUL…)."
    if kind == "value_error" and context.get("error"):
        return f"Le champ {name} n'est pas valide : {context['error']}"
    return f"Le champ {name} n'est pas valide."
