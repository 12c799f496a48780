"""Every error leaves as API.md's body, with the status and French message of its kind."""

import json
from typing import Any

import pytest
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from comptasecure.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyAttempts, Unauthorized
from comptasecure.http import errors
from comptasecure.validation import CONTROL_CHARACTER


def answer(error: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = errors.from_validation(RequestValidationError([error]))
    body = response.body if isinstance(response.body, dict) else json.loads(str(response.body))
    return response.status_code, body["error"]


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (InvalidInput("Valeur refusée.", field="siren", code="invalid_siren"), 422, "invalid_siren"),
        (Unauthorized(), 401, "unauthorized"),
        (Forbidden(), 403, "forbidden"),
        (NotFound(code="user_not_found"), 404, "user_not_found"),
        (Conflict(), 409, "conflict"),
        (TooManyAttempts(), 429, "too_many_attempts"),
    ],
)
def test_a_domain_error_keeps_its_status_code_message_and_field(error: Any, status: int, code: str) -> None:
    response = errors.from_domain(error)
    assert response.status_code == status
    assert response.body == errors.error_body(code, error.message, error.field)
    assert ("field" in response.body["error"]) == (error.field is not None)


def test_invalid_json_is_a_400() -> None:
    assert answer({"type": "json_invalid", "loc": ("body", 1)}) == (
        400,
        {"code": "invalid_json", "message": "Le corps de la requête n'est pas un JSON valide."},
    )


@pytest.mark.parametrize("error", [{"type": "missing", "loc": ("body",)}, {"type": "model_type", "loc": ("body",)}])
def test_a_body_that_is_not_an_object_is_a_400(error: dict[str, Any]) -> None:
    assert answer(error) == (
        400,
        {"code": "invalid_body", "message": "Le corps de la requête doit être un objet JSON."},
    )


@pytest.mark.parametrize("kind", ["string_type", "int_parsing", "bool_type", "literal_error", "enum", "list_type"])
def test_a_wrong_type_is_a_400_naming_the_field(kind: str) -> None:
    assert answer({"type": kind, "loc": ("body", "fields", "city")}) == (
        400,
        {"code": "wrong_type", "message": "Le champ « fields.city » n'a pas le bon type.", "field": "fields.city"},
    )


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        ({"type": "missing", "loc": ("body", "email")}, "missing_field", "Le champ « email » est obligatoire."),
        (
            {"type": "extra_forbidden", "loc": ("body", "type_id")},
            "unknown_field",
            "Le champ « type_id » n'est pas reconnu.",
        ),
        (
            {"type": "string_too_long", "loc": ("body", "name"), "ctx": {"max_length": 200}},
            "invalid_name",
            "Le champ « name » dépasse 200 caractères.",
        ),
        (
            {"type": "string_too_short", "loc": ("body", "name")},
            "invalid_name",
            "Le champ « name » ne peut pas être vide.",
        ),
        (
            {"type": "string_pattern_mismatch", "loc": ("body", "code")},
            "invalid_code",
            "Le champ « code » n'est pas valide.",
        ),
        (
            {"type": "value_error", "loc": ("query", "limit"), "ctx": {"error": "trop grand"}},
            "invalid_limit",
            "Le champ « limit » n'est pas valide : trop grand",
        ),
    ],
)
def test_an_invalid_value_is_a_422_naming_the_field(error: dict[str, Any], code: str, message: str) -> None:
    field = ".".join(str(part) for part in error["loc"][1:])
    assert answer(error) == (422, {"code": code, "message": message, "field": field})


def test_a_control_character_is_named_in_french() -> None:
    status, error = answer({"type": CONTROL_CHARACTER, "loc": ("body", "last_name")})
    assert (status, error["code"], error["field"]) == (422, "invalid_last_name", "last_name")
    assert "caractère de contrôle" in error["message"]


def test_a_refusal_before_the_resolver_is_a_lambda_proxy_answer() -> None:
    answer = errors.proxy_response(errors.UNSUPPORTED_MEDIA_TYPE)
    assert answer["statusCode"] == 415
    assert answer["headers"] == {"Content-Type": "application/json"}
    assert json.loads(answer["body"]) == {
        "error": {"code": "unsupported_media_type", "message": errors.UNSUPPORTED_MEDIA_TYPE[2]}
    }
