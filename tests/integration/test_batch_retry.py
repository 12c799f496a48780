"""BatchGetItem's unprocessed keys are asked again: a throttled table is not a gone session (401)."""

from typing import Any

import pytest
from botocore.client import BaseClient

from comptasecure.store import batch
from tests.helpers import Client, signup_confirmed


def answer_partially(monkeypatch: pytest.MonkeyPatch, times: int, processed: int = 1) -> list[int]:
    """DynamoDB's answer under throttling: the first ``times`` BatchGetItem calls process ``processed``
    keys (a real call on moto) and return the others as UnprocessedKeys. Returns the key counts asked."""
    original = BaseClient._make_api_call  # type: ignore[attr-defined]
    asked: list[int] = []

    def partial(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if operation != "BatchGetItem":
            return original(self, operation, params)
        [(table, request)] = params["RequestItems"].items()
        asked.append(len(request["Keys"]))
        first, rest = request["Keys"][:processed], request["Keys"][processed:]
        if len(asked) > times or not rest:
            return original(self, operation, params)
        response = {"Responses": {table: []}, "ResponseMetadata": {"HTTPStatusCode": 200}}
        if first:
            response = original(self, operation, {"RequestItems": {table: {**request, "Keys": first}}})
        response["UnprocessedKeys"] = {table: {**request, "Keys": rest}}
        return response

    monkeypatch.setattr(BaseClient, "_make_api_call", partial)
    return asked


def test_the_authorizer_asks_again_for_the_keys_dynamodb_left_unprocessed(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, session = signup_confirmed(client)
    asked = answer_partially(monkeypatch, times=1)
    reply = client.as_user(session["access_token"]).get("/me")
    assert reply.status == 200, reply.body
    assert asked == [2, 1]  # the user and the session, then the key left unprocessed


def test_keys_still_unprocessed_after_every_retry_are_an_error_not_missing_items(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, session = signup_confirmed(client)
    monkeypatch.setattr(batch, "MAX_DELAY_SECONDS", 0.01)
    asked = answer_partially(monkeypatch, times=batch.MAX_ATTEMPTS, processed=0)
    from comptasecure.store.sessions import get_with_user

    account_id, user_id, session_id = _claims(session["access_token"])
    with pytest.raises(batch.BatchIncomplete):
        get_with_user(account_id, user_id, session_id)
    assert asked == [2] * batch.MAX_ATTEMPTS


def test_backoff_grows_exponentially_with_full_jitter_under_a_cap() -> None:
    for attempt in range(1, 10):
        ceiling = min(batch.MAX_DELAY_SECONDS, batch.BASE_DELAY_SECONDS * 2**attempt)
        delays = [batch.backoff(attempt) for _ in range(200)]
        assert all(0 <= delay <= ceiling for delay in delays)
        assert max(delays) > ceiling / 2  # spread over the whole interval, not a fixed wait


def _claims(access_token: str) -> tuple[str, str, str]:
    from comptasecure.domain import tokens

    claims = tokens.verify_access(access_token)
    return claims.account_id, claims.user_id, claims.session_id
