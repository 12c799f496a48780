"""The account: rename, ownership transfer, and support's account-type change (an IAM-only Lambda event)."""

from typing import Annotated

from pydantic import StrictBool, StringConstraints, model_validator

from comptasecure.models import Request
from comptasecure.validation import CompanyName

Identifier = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class UpdateAccountRequest(Request):
    """Any of: the name (R-ACC-2), whether every user must use MFA (R-MFA-2)."""

    name: CompanyName | None = None
    require_mfa: StrictBool | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> "UpdateAccountRequest":
        if self.name is None and self.require_mfa is None:
            raise ValueError("indiquez au moins « name » ou « require_mfa ».")
        return self


class TransferOwnershipRequest(Request):
    user_id: Identifier


class SetAccountTypeEvent(Request):
    """What support sends to the set-account-type function (never reachable over HTTP)."""

    account_id: Identifier
    type_id: Identifier
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
