"""The account: rename, ownership transfer, and support's account-type change (an IAM-only Lambda event)."""

from typing import Annotated

from pydantic import StringConstraints

from comptasecure.models import Request
from comptasecure.validation import CompanyName

Identifier = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class RenameAccountRequest(Request):
    name: CompanyName


class TransferOwnershipRequest(Request):
    user_id: Identifier


class SetAccountTypeEvent(Request):
    """What support sends to the set-account-type function (never reachable over HTTP)."""

    account_id: Identifier
    type_id: Identifier
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
