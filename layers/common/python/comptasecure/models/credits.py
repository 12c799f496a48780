"""The account's credits as the billing centre shows them: balances and movements."""

from pydantic import BaseModel


class CreditBalance(BaseModel):
    type: str
    label: str
    granted: int
    consumed: int
    remaining: int


class CreditBalanceList(BaseModel):
    items: list[CreditBalance]


class CreditMovement(BaseModel):
    type: str
    delta: int
    reason: str
    at: str
    analysis_id: str | None = None  # on a consumption: the analysis it paid for


class CreditHistoryPage(BaseModel):
    items: list[CreditMovement]
    next_cursor: str | None
