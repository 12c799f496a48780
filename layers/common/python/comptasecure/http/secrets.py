"""Answers that carry secrets (tokens, a TOTP secret, recovery codes): never kept by any cache."""

from aws_lambda_powertools.event_handler import Response, content_types
from pydantic import BaseModel

# ASVS 14.3: no browser, proxy or CDN may keep a copy; Pragma for HTTP/1.0 caches.
NO_STORE_HEADERS = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def no_store[Model: BaseModel](answer: Model, status: int = 200) -> Response[Model]:
    return Response(status, content_types.APPLICATION_JSON, answer, headers=dict(NO_STORE_HEADERS))
