"""The account: its view, rename, ownership transfer."""

from pydantic import BaseModel, StrictBool, model_validator

from comptasecure.models import Request
from comptasecure.validation import CompanyName, Identifier


class AccountTypeRef(BaseModel):
    id: str
    label: str


class AccountView(BaseModel):
    id: str
    name: str
    type: AccountTypeRef
    limits: dict[str, int]
    usage: dict[str, int]
    owner_id: str
    can_delete: bool
    require_mfa: bool


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
