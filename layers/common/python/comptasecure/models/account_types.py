"""The account types an account can have, and support's type change (an IAM-only Lambda event)."""

from typing import Annotated, Literal

from pydantic import BaseModel, StringConstraints

from comptasecure.models import Request
from comptasecure.validation import Identifier


class AccountTypeView(BaseModel):
    id: str
    label: str
    limits: dict[str, int]
    obtained_by: Literal["signup", "first_purchase", "support"]
    is_current: bool


class AccountTypeList(BaseModel):
    items: list[AccountTypeView]


class SetAccountTypeEvent(Request):
    """What support sends to the set-account-type function (never reachable over HTTP)."""

    account_id: Identifier
    type_id: Identifier
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
