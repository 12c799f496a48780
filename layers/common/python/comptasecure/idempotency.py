"""Client retries that never double an effect (SPEC R-REL-2, API.md "Retries"): the request's side.

A POST sent with an ``Idempotency-Key`` is claimed in an idempotency record (Powertools Idempotency,
``store/request_records.py``) before it runs. Whatever the route commits then also marks that record,
in the same DynamoDB transaction, as committed, with the operation's answer: a function that dies
right after its commit leaves a record that says the change happened and what it answered, so the
client's retry gets that answer instead of running the change again (brandur's "atomic phases":
the recovery point commits with the change). The marker is conditioned on this attempt's claim, so
a zombie attempt whose claim expired and was taken over cannot commit anything.

This module holds the request's claim (a context variable the edge sets) and the ``replayable``
decorator of the domain operations a route calls; it imports nothing heavy.
"""

import base64
import functools
import hashlib
import json
import os
import typing
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from comptasecure import clock
from comptasecure.settings import settings

NOTHING: Any = object()


@dataclass
class Claim:
    """This attempt's hold on the request's idempotency record."""

    key: dict[str, str]
    """The record's PK and SK."""
    token: str
    """This attempt's claim: every write of the record is conditioned on it."""
    seal_key: bytes
    """Seals what the record keeps (answers may hold a secret shown once); derived from the client's
    Idempotency-Key, which the table never holds (only its hash), so a stored answer is unreadable
    without the key the client sent."""
    recorded: Any = NOTHING
    """The answer an earlier attempt committed with its change (JSON), when one did."""
    replayed: bool = False
    """This attempt answered with the recorded answer instead of running the change."""


_claim: ContextVar[Claim | None] = ContextVar("idempotency_claim", default=None)


def current() -> Claim | None:
    return _claim.get()


def hold(claim: Claim | None) -> Any:
    """Make ``claim`` the current request's (None: a request without a key); returns a reset token."""
    return _claim.set(claim)


def release(reset: Any) -> None:
    _claim.reset(reset)


def commit_marker(answer: Any = NOTHING) -> dict[str, Any] | None:
    """The update of the request's record a transaction includes: committed, with ``answer`` (the
    operation's result) when given. None outside a request sent with a key."""
    claim = _claim.get()
    if claim is None:
        return None
    expression = "SET committed_at = :now"
    values: dict[str, Any] = {":now": clock.iso(clock.now()), ":token": claim.token}
    if answer is not NOTHING:
        expression += ", answer = :answer"
        values[":answer"] = seal(claim.seal_key, json.dumps(_jsonable(answer), separators=(",", ":")))
    return {
        "Update": {
            "TableName": settings().table_name,
            "Key": claim.key,
            "UpdateExpression": expression,
            "ConditionExpression": "claim = :token",
            "ExpressionAttributeValues": values,
        }
    }


def derived_key(purpose: str) -> str | None:
    """A key for another service's own idempotency (Stripe's ``Idempotency-Key``), the same for every
    attempt of this request: a retry after a call that created something, then a death, gets the
    same object again. None outside a request sent with a key."""
    claim = _claim.get()
    if claim is None:
        return None
    return f"comptasecure-{purpose}-{hashlib.sha256(claim.key['PK'].encode()).hexdigest()}"


def replayable[**P, R](operation: Callable[P, R]) -> Callable[P, R]:
    """A domain operation a route calls: when an earlier attempt of the same request committed its
    change and its answer, the answer is returned again (typed by the operation's return annotation)
    and the operation does not run a second time."""

    @functools.wraps(operation)
    def replay_or_run(*args: P.args, **kwargs: P.kwargs) -> R:
        claim = _claim.get()
        if claim is None or claim.recorded is NOTHING:
            return operation(*args, **kwargs)
        claim.replayed = True
        from pydantic import TypeAdapter

        answer_type = typing.get_type_hints(operation)["return"]
        return typing.cast(R, TypeAdapter(answer_type).validate_python(claim.recorded))

    return replay_or_run


def seal_key(idempotency_key: str, caller: str, route: str) -> bytes:
    """HKDF-SHA256 of the client's key, bound to the caller and the route."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=hashlib.sha256(f"{caller}\n{route}".encode()).digest(),
        info=b"comptasecure idempotency record",
    ).derive(idempotency_key.encode())


def seal(key: bytes, text: str) -> str:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    return base64.b64encode(nonce + AESGCM(key).encrypt(nonce, text.encode(), None)).decode()


def unseal(key: bytes, sealed: str) -> str:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    raw = base64.b64decode(sealed)
    return AESGCM(key).decrypt(raw[:12], raw[12:], None).decode()


def _jsonable(answer: Any) -> Any:
    from pydantic_core import to_jsonable_python

    return to_jsonable_python(answer)
