"""A new code for a signup not yet confirmed."""

from comptasecure.models import Request
from comptasecure.validation import Email


class EmailRequest(Request):
    email: Email
