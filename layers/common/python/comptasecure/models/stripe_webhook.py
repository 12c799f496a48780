"""The webhook's answer to Stripe (Stripe reads only the status; the outcome helps whoever replays events)."""

from pydantic import BaseModel


class WebhookAck(BaseModel):
    received: bool = True
    outcome: str  # applied, stale (an older event than what was applied) or ignored
