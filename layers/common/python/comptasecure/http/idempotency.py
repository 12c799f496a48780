"""``Idempotency-Key`` on the POST routes (API.md "Retries"), applied once for every route by ``lambda_handler``.

For 24 hours, the same key from the same caller (the user; on a public route, the client address)
on the same route with the same request gets the first answer again, with ``Idempotent-Replayed:
true``; the same key with another request is a 422 ``idempotency_key_reused``; while the first is
still running, a 409 ``request_in_progress``. Powertools Idempotency runs that bookkeeping, keyed on
(caller, route, key), the request (path and body) hashed for the comparison; a server error (5xx)
or a rate refusal (429) is not kept, so the retry runs again. See comptasecure/idempotency.py for how
a change commits with its record, and store/request_records.py for how the records are kept.
"""

import hashlib
import re
from functools import cache
from typing import TYPE_CHECKING, Any

from comptasecure import idempotency
from comptasecure.errors import IdempotencyKeyReused, InvalidIdempotencyKey, RequestInProgress
from comptasecure.http import errors

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig
    from aws_lambda_powertools.utilities.typing import LambdaContext

HEADER = "idempotency-key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEPT_SECONDS = 24 * 3600
# The POST routes whose retries are not keyed (API.md): each attempt of a login, a code at login, a
# refresh or a logout is its own, SSO and passkey steps are single-use by design, and Stripe
# identifies its webhook events itself.
UNKEYED = re.compile(r"POST /(auth/(login|mfa.*|passkey.*|refresh|logout|sso/.*)|webhooks/stripe)")
VALID_KEY = re.compile(r"[\x20-\x7e]{1,255}")


class _NotKept(Exception):
    """An answer the record must not keep (a server error, a rate refusal): the retry runs again."""

    def __init__(self, response: dict[str, Any]):
        super().__init__(response.get("statusCode"))
        self.response = response


def keyed(route: str) -> bool:
    """Whether a route (``"POST /groups"``) accepts an Idempotency-Key."""
    return route.startswith("POST ") and not UNKEYED.fullmatch(route)


def applies(event: dict[str, Any]) -> bool:
    """A request of a keyed route that carries the header."""
    return keyed(str(event.get("routeKey", ""))) and HEADER in (event.get("headers") or {})


def run(event: dict[str, Any], context: "LambdaContext", resolve: "Callable[[], dict[str, Any]]") -> dict[str, Any]:
    """Answer a keyed request: the first answer again, or a refusal, or ``resolve()`` run once."""
    key = (event.get("headers") or {})[HEADER]
    if not VALID_KEY.fullmatch(key):
        return errors.refuse(InvalidIdempotencyKey())
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    from comptasecure.store.request_records import new_claim

    caller, route = _caller(event), str(event["routeKey"])
    request = {"caller": caller, "route": route, "key": key, "payload": _payload_hash(event)}
    claim = new_claim(idempotency.seal_key(key, caller, route))
    reset = idempotency.hold(claim)
    try:
        _config().register_lambda_context(context)
        response: dict[str, Any] = _run_once()(request=request, resolve=resolve)
    except _NotKept as not_kept:
        return not_kept.response
    except IdempotencyValidationError:
        return errors.refuse(IdempotencyKeyReused())
    except IdempotencyAlreadyInProgressError:
        return errors.refuse(RequestInProgress())
    finally:
        idempotency.release(reset)
    if claim.replayed:
        response = _replayed(response)
    return response


def _kept_answer(request: dict[str, Any], resolve: "Callable[[], dict[str, Any]]") -> dict[str, Any]:
    response = resolve()
    if int(response.get("statusCode", 200)) >= 500 or int(response.get("statusCode", 200)) == 429:
        raise _NotKept(response)
    return response


@cache
def _run_once() -> Any:
    from aws_lambda_powertools.utilities.idempotency import idempotent_function

    from comptasecure.store.request_records import RequestRecords

    return idempotent_function(data_keyword_argument="request", persistence_store=RequestRecords(), config=_config())(
        _kept_answer
    )


@cache
def _config() -> "IdempotencyConfig":
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    return IdempotencyConfig(
        event_key_jmespath="[caller, route, key]",
        payload_validation_jmespath="payload",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=KEPT_SECONDS,
        hash_function="sha256",
        response_hook=lambda response, _record: _replayed(response),
    )


def _replayed(response: dict[str, Any]) -> dict[str, Any]:
    return {**response, "headers": {**(response.get("headers") or {}), REPLAYED_HEADER: "true"}}


def _caller(event: dict[str, Any]) -> str:
    """The user the authorizer named; on a public route, the client's address."""
    context = ((event.get("requestContext") or {}).get("authorizer") or {}).get("lambda") or {}
    if context.get("authenticated") is True and context.get("user_id"):
        return f"user:{context['user_id']}"
    return f"ip:{((event.get('requestContext') or {}).get('http') or {}).get('sourceIp', '')}"


def _payload_hash(event: dict[str, Any]) -> str:
    """The request the key names: its path (ids in it) and its body, as sent."""
    body = str(event.get("body") or "")
    return hashlib.sha256(f"{event.get('rawPath', '')}\n{event.get('isBase64Encoded')}\n{body}".encode()).hexdigest()
