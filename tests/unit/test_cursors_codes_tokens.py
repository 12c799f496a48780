"""Signed cursors, emailed codes and tokens: a forged, widened, replayed or expired one never passes."""

import base64
import hashlib
import json
from datetime import timedelta

import jwt
import pytest

from comptasecure import clock
from comptasecure.domain import codes, tokens
from comptasecure.errors import InvalidInput, Unauthorized
from comptasecure.http import pagination

LAST_KEY = {"PK": "ACCOUNT#a1", "SK": "USER#u9"}


def test_a_cursor_reads_back_in_its_own_scope_only(signing_secret: str) -> None:
    cursor = pagination.encode(LAST_KEY, "a1")
    assert cursor is not None and "ACCOUNT" not in cursor
    assert pagination.decode(cursor, "a1") == LAST_KEY
    with pytest.raises(InvalidInput) as refused:
        pagination.decode(cursor, "another-account")
    assert (refused.value.code, refused.value.field) == ("invalid_cursor", "cursor")


def test_no_next_page_means_no_cursor(signing_secret: str) -> None:
    assert pagination.encode(None, "a1") is None
    assert pagination.encode({}, "a1") is None
    assert pagination.decode(None, "a1") is None
    assert pagination.decode("", "a1") is None


def test_a_cursor_with_a_widened_key_is_refused(signing_secret: str) -> None:
    cursor = pagination.encode(LAST_KEY, "a1")
    assert cursor is not None
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    widened = raw[:16] + json.dumps({"PK": "ACCOUNT#a2", "SK": "USER#u9"}, sort_keys=True).encode()
    forged = base64.urlsafe_b64encode(widened).decode().rstrip("=")
    with pytest.raises(InvalidInput):
        pagination.decode(forged, "a1")


@pytest.mark.parametrize("cursor", ["not base64 at all!", "AAAA", "x"])
def test_a_cursor_that_is_not_ours_is_refused(signing_secret: str, cursor: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        pagination.decode(cursor, "a1")
    assert refused.value.code == "invalid_cursor"


def test_codes_are_six_digits_and_vary() -> None:
    drawn = {codes.new_code() for _ in range(200)}
    assert all(len(code) == 6 and code.isdigit() for code in drawn)
    assert len(drawn) > 150


def test_a_code_hash_is_keyed_and_bound_to_its_user_and_purpose(signing_secret: str) -> None:
    hashed = codes.code_hash("a1", "u1", codes.CONFIRMATION, "123456")
    assert hashed == codes.code_hash("a1", "u1", codes.CONFIRMATION, "123456")
    assert hashed != hashlib.sha256(b"a1:u1:confirmation:123456").hexdigest()
    others = [
        codes.code_hash("a2", "u1", codes.CONFIRMATION, "123456"),
        codes.code_hash("a1", "u2", codes.CONFIRMATION, "123456"),
        codes.code_hash("a1", "u1", codes.PASSWORD_CHANGE, "123456"),
        codes.code_hash("a1", "u1", codes.CONFIRMATION, "123457"),
    ]
    assert hashed not in others


def stored_code(code: str, expires_in: int) -> dict[str, str]:
    return {
        "code_hash": codes.code_hash("a1", "u1", codes.CONFIRMATION, code),
        "expires_at": clock.iso(clock.now() + timedelta(seconds=expires_in)),
    }


def test_the_stored_code_matches_once_typed_with_spaces_and_no_other(signing_secret: str) -> None:
    stored = stored_code("042042", 600)
    assert codes._unexpired_match(stored, "a1", "u1", codes.CONFIRMATION, " 042042 ")
    assert not codes._unexpired_match(stored, "a1", "u1", codes.CONFIRMATION, "042043")
    assert not codes._unexpired_match(stored, "a1", "u2", codes.CONFIRMATION, "042042")


def test_an_expired_code_is_told_apart_even_when_right(signing_secret: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        codes._unexpired_match(stored_code("042042", -1), "a1", "u1", codes.CONFIRMATION, "042042")
    assert (refused.value.code, refused.value.field) == ("expired_code", "code")


CLAIMS = tokens.AccessClaims(account_id="a1", user_id="u1", session_id="s1", role="admin")


def test_an_access_token_reads_back_as_its_claims(signing_secret: str) -> None:
    assert tokens.verify_access(tokens.issue_access(CLAIMS)) == CLAIMS


def refused(token: str, code: str = "invalid_token") -> None:
    with pytest.raises(Unauthorized) as error:
        tokens.verify_access(token)
    assert error.value.code == code


def test_a_token_signed_with_another_key_is_refused(signing_secret: str) -> None:
    payload = jwt.decode(tokens.issue_access(CLAIMS), options={"verify_signature": False})
    refused(jwt.encode({**payload, "role": "owner"}, "another key of enough length to sign", algorithm="HS256"))


def test_an_unsigned_token_is_refused(signing_secret: str) -> None:
    payload = jwt.decode(tokens.issue_access(CLAIMS), options={"verify_signature": False})
    refused(jwt.encode(payload, None, algorithm="none"))


@pytest.mark.parametrize(
    ("claim", "value", "code"),
    [
        ("aud", "another-audience", "invalid_token"),
        ("iss", "someone-else", "invalid_token"),
        ("exp", 1, "token_expired"),
    ],
)
def test_a_token_for_another_audience_issuer_or_time_is_refused(
    signing_secret: str, claim: str, value: object, code: str
) -> None:
    payload = jwt.decode(tokens.issue_access(CLAIMS), options={"verify_signature": False})
    refused(jwt.encode({**payload, claim: value}, signing_secret, algorithm="HS256"), code)


def test_an_expired_token_not_signed_by_us_is_invalid_not_expired(signing_secret: str) -> None:
    # Expiry is told only of our own tokens: a forger learns nothing from the answer.
    payload = jwt.decode(tokens.issue_access(CLAIMS), options={"verify_signature": False})
    refused(jwt.encode({**payload, "exp": 1}, "another key of enough length to sign", algorithm="HS256"))


@pytest.mark.parametrize("claim", ["exp", "iat", "sub", "acc", "sid", "role"])
def test_a_token_missing_a_claim_is_refused(signing_secret: str, claim: str) -> None:
    payload = jwt.decode(tokens.issue_access(CLAIMS), options={"verify_signature": False})
    del payload[claim]
    refused(jwt.encode(payload, signing_secret, algorithm="HS256"))


def test_a_refresh_token_is_four_parts_and_only_its_secrets_hash_is_kept() -> None:
    token = tokens.RefreshToken.new("a1", "u1", "s1")
    assert tokens.RefreshToken.parse(str(token)) == token
    assert token.secret_hash == hashlib.sha256(token.secret.encode()).hexdigest()
    assert token.secret not in token.secret_hash


@pytest.mark.parametrize("value", ["", "a1.u1.s1", "a1.u1.s1.secret.extra", "a1..s1.secret", "a1.u1.s1."])
def test_a_malformed_refresh_token_is_a_401(value: str) -> None:
    with pytest.raises(Unauthorized):
        tokens.RefreshToken.parse(value)
