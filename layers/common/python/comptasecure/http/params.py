"""The ids a route takes in its path, each described once for the OpenAPI document.

A route declares its path id with one of these types (`def get_group(group_id: GroupId)`), so that
the document says what the id is and where it comes from; `make openapi-check` fails on a parameter
without a description. An id of no item of the caller's account is a 404, never a 403 (API.md).
"""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

UserId = Annotated[
    str,
    Path(
        description="A user of the caller's account: `id` in GET /users (32 hex digits).",
        examples=["9f2b4c1de8a34f6b8c0d7e5a3b2c1d0e"],
    ),
]
GroupId = Annotated[
    str,
    Path(
        description="A group of the caller's account: `id` in GET /groups (32 hex digits).",
        examples=["5c8e1a7f3b9d4e2f8a6c0b1d9e7f3a25"],
    ),
]
FecId = Annotated[
    str,
    Path(
        description="An FEC file the caller may open: `id` in GET /fecs (32 hex digits).",
        examples=["2b8d4f6a1c3e4b5d9f7a0c2e4b6d8f01"],
    ),
]
AnalysisId = Annotated[
    str,
    Path(
        description="An analysis of the analysis service (its own id: 1 to 64 letters, digits, `-` or `_`). "
        "Each account has its own CRM for an id.",
        examples=["ana-2025-732829320"],
    ),
]
SessionId = Annotated[
    str,
    Path(
        pattern=r"^[0-9a-f]{1,64}$",
        description="One of the caller's sessions: `id` in GET /me/sessions (32 hex digits, oldest first).",
        examples=["0193a1f2c3d4e5f6a7b8c9d0e1f2a3b4"],
    ),
]
ExportId = Annotated[
    str,
    Path(
        pattern=r"^[0-9a-f]{32}$",
        description="An audit export: `export_id` of the 202 answer of GET /audit/export (32 hex digits).",
        examples=["7e4a2c9b1d3f4a6c8e0b2d4f6a8c0e1f"],
    ),
]
PaymentMethodId = Annotated[
    str,
    Path(
        pattern=r"^[a-z]{2,5}_[A-Za-z0-9]{1,100}$",
        description="A payment method of the account's Stripe customer: `id` in GET /billing/payment-methods "
        "(Stripe's id, `pm_…`).",
        examples=["pm_1QdU2aK2bHc9xYzA"],
    ),
]
PasskeyId = Annotated[
    str,
    Path(
        pattern=r"^[0-9a-f]{64}$",
        description="One of the caller's passkeys: `id` in GET /me/passkeys (64 hex digits).",
        examples=["3f9c2a7d1e5b4c8a9d0e6f2b7a1c3e5d9f8b2a4c6e0d1f3a5b7c9e2d4f6a8b0c"],
    ),
]
