"""The signup's emailed code confirmed."""

from typing import Literal

from pydantic import BaseModel

from comptasecure.models import Request
from comptasecure.validation import Code, Email


class ConfirmRequest(Request):
    email: Email
    code: Code


class StatusResponse(BaseModel):
    status: Literal["active"]
