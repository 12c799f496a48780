"""GET /_local/emails: every email the back end sent through (emulated) SES, oldest first."""

import threading
from email import message_from_string, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from typing import Any

from moto.ses.models import ses_backends

from local.emulator import ACCOUNT, REGION

# moto keeps every raw message; each is parsed once, then looked up by recipient. Re-parsing the whole
# outbox on every poll made a lookup cost grow with everything sent before it.
_parsed: list[dict[str, Any]] = []
_by_recipient: dict[str, list[dict[str, Any]]] = {}
_seen = 0
_lock = threading.Lock()


def sent(to: str | None) -> list[dict[str, Any]]:
    with _lock:
        _parse_new_messages()
        found = _parsed if to is None else _by_recipient.get(to.lower(), [])
        return list(found)


def _parse_new_messages() -> None:
    global _seen
    outbox = ses_backends[ACCOUNT][REGION].sent_messages
    if len(outbox) < _seen:  # the backend was reset: start over
        _parsed.clear()
        _by_recipient.clear()
        _seen = 0
    for message in outbox[_seen:]:
        _seen += 1
        raw = getattr(message, "raw_data", None)
        if raw is None:
            continue
        parsed = message_from_string(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        recipients = sorted({address.lower() for address in message.destinations})
        text, html = parsed.get_body(("plain",)), parsed.get_body(("html",))
        email = {
            "to": ", ".join(recipients),
            "subject": str(parsed["Subject"]),
            "text": text.get_content() if text else "",
            "html": html.get_content() if html else "",
            "sent_at": parsedate_to_datetime(str(parsed["Date"])).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        _parsed.append(email)
        for recipient in recipients:
            _by_recipient.setdefault(recipient, []).append(email)
