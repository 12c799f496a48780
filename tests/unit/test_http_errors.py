"""Every error leaves as API.md's body, with the status and French message of its kind."""

import json
from typing import Any

import pytest
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from comptasecure import errors as kinds
from comptasecure.errors import DomainError
from comptasecure.http import errors
from comptasecure.http.caller import refusal
from comptasecure.validation import CONTROL_CHARACTER


def answer(*details: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = errors.from_validation(RequestValidationError(list(details)))
    body = response.body if isinstance(response.body, dict) else json.loads(str(response.body))
    return response.status_code, body["error"]


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (kinds.InvalidValue(field="siren", reason="clé invalide."), 422, "invalid_siren"),
        (kinds.Unauthorized(), 401, "unauthorized"),
        (kinds.Forbidden(), 403, "forbidden"),
        (kinds.UserNotFound(field="member_ids"), 404, "user_not_found"),
        (kinds.Conflict(), 409, "conflict"),
        (kinds.TooManyAttempts(), 429, "too_many_attempts"),
    ],
)
def test_a_domain_error_keeps_its_status_code_message_and_field(error: DomainError, status: int, code: str) -> None:
    response = errors.from_domain(error)
    assert response.status_code == status
    assert response.body == errors.error_body(error)
    assert response.body["error"]["code"] == code
    assert response.body["error"]["message"] == error.message
    assert ("field" in response.body["error"]) == (error.field is not None)


def test_a_message_is_filled_with_what_the_error_was_raised_with() -> None:
    error = kinds.TooManyGroups(limit=20)
    assert (error.code, error.message, error.field) == (
        "too_many_groups",
        "Modifiez au plus 20 groupes à la fois.",
        "group_ids",
    )
    assert kinds.TooManyGroups.message == "Modifiez au plus {limit} groupes à la fois."


def test_a_per_field_code_takes_the_fields_last_segment() -> None:
    assert kinds.TextTooLong(field="fields.city", max_length=200).code == "invalid_city"


def test_a_kind_whose_message_names_its_field_cannot_be_raised_without_one() -> None:
    with pytest.raises(TypeError):
        kinds.MissingField()


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


@pytest.mark.parametrize("kind", ["string_type", "int_parsing", "bool_type", "list_type"])
def test_a_wrong_type_is_a_400_naming_the_field(kind: str) -> None:
    assert answer({"type": kind, "loc": ("body", "fields", "city")}) == (
        400,
        {"code": "wrong_type", "message": "Le champ « fields.city » n'a pas le bon type.", "field": "fields.city"},
    )


@pytest.mark.parametrize(
    ("kind", "expected", "listed"),
    [
        ("literal_error", "'admin' or 'member'", "« admin », « member »"),
        ("enum", "'1-9', '10-49' or \"it's\"", "« 1-9 », « 10-49 », « it's »"),
        ("literal_error", "1 or 2", "« 1 », « 2 »"),
        ("literal_error", "True", "« true »"),
    ],
)
def test_a_value_outside_an_enumeration_lists_the_allowed_values(kind: str, expected: str, listed: str) -> None:
    status, error = answer({"type": kind, "loc": ("body", "role"), "ctx": {"expected": expected}})
    assert (status, error["code"], error["field"]) == (400, "wrong_type", "role")
    assert error["message"] == f"Le champ « role » doit valoir l'une de ces valeurs : {listed}."


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
        ({"type": "string_pattern_mismatch", "loc": ("body", "code")}, "invalid_code", "Ce code n'est pas valide."),
        (
            {"type": "string_pattern_mismatch", "loc": ("path", "session_id")},
            "invalid_session_id",
            "Le champ « session_id » n'est pas valide.",
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


def test_a_rule_of_the_whole_body_is_a_422_with_its_reason() -> None:
    status, error = answer({"type": "value_error", "loc": ("body",), "ctx": {"error": "indiquez au moins « name »."}})
    assert (status, error) == (
        422,
        {"code": "invalid_input", "message": "La requête n'est pas valide : indiquez au moins « name »."},
    )


def test_a_control_character_is_named_in_french() -> None:
    status, error = answer({"type": CONTROL_CHARACTER, "loc": ("body", "last_name")})
    assert (status, error["code"], error["field"]) == (422, "invalid_last_name", "last_name")
    assert "caractère de contrôle" in error["message"]


MISSING_EMAIL = {"type": "missing", "loc": ("body", "email")}
MISSING_PASSWORD = {"type": "missing", "loc": ("body", "password")}
UNKNOWN_MAIL = {"type": "extra_forbidden", "loc": ("body", "mail")}
WRONG_TYPE = {"type": "string_type", "loc": ("body", "password")}
TOO_LONG = {"type": "string_too_long", "loc": ("body", "email"), "ctx": {"max_length": 254}}


@pytest.mark.parametrize(
    ("details", "code", "field"),
    [
        # A misspelled field is named, not the field it was meant to be.
        ((MISSING_EMAIL, MISSING_PASSWORD, UNKNOWN_MAIL), "unknown_field", "mail"),
        ((TOO_LONG, UNKNOWN_MAIL), "unknown_field", "mail"),
        # A malformed request (400) before any invalid value (422).
        ((UNKNOWN_MAIL, WRONG_TYPE), "wrong_type", "password"),
        ((TOO_LONG, MISSING_PASSWORD), "missing_field", "password"),
        # Within a rank, the model's field order.
        ((MISSING_EMAIL, MISSING_PASSWORD), "missing_field", "email"),
    ],
)
def test_of_several_errors_the_one_reported_is_chosen_by_rank(
    details: tuple[dict[str, Any], ...], code: str, field: str
) -> None:
    _, error = answer(*details)
    assert (error["code"], error["field"]) == (code, field)


def test_a_refusal_before_the_resolver_is_a_lambda_proxy_answer() -> None:
    proxied = errors.proxy_response(kinds.UnsupportedMediaType())
    assert proxied["statusCode"] == 415
    assert proxied["headers"] == {"Content-Type": "application/json"}
    assert json.loads(proxied["body"]) == {
        "error": {"code": "unsupported_media_type", "message": kinds.UnsupportedMediaType.message}
    }


def event_refused_for(reason: str | None) -> dict[str, Any]:
    context: dict[str, Any] = {"authenticated": False} | ({"reason": reason} if reason else {})
    return {"requestContext": {"authorizer": {"lambda": context}}}


@pytest.mark.parametrize(
    ("reason", "code", "challenge"),
    [
        (None, "unauthorized", "Bearer"),
        ("invalid_token", "invalid_token", 'Bearer error="invalid_token"'),
        (
            "token_expired",
            "token_expired",
            'Bearer error="invalid_token", error_description="The access token expired"',
        ),
        ("session_ended", "session_ended", 'Bearer error="invalid_token", error_description="The session ended"'),
        # Only the authorizer's own reasons are trusted; anything else reads as no token.
        ("invalid_credentials", "unauthorized", "Bearer"),
    ],
)
def test_an_unauthenticated_request_is_told_why_with_the_rfc_6750_challenge(
    reason: str | None, code: str, challenge: str
) -> None:
    proxied = errors.proxy_response(refusal(event_refused_for(reason)))
    assert proxied["statusCode"] == 401
    assert proxied["headers"]["WWW-Authenticate"] == challenge
    assert json.loads(proxied["body"])["error"]["code"] == code
