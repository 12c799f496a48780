"""GET /_local/emails: every email the back end sent through (emulated) SES, oldest first."""

from email import message_from_string, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from typing import Any

from moto.ses.models import ses_backends

from local.emulator import ACCOUNT, REGION


def sent(to: str | None) -> list[dict[str, Any]]:
    found = []
    for message in list(ses_backends[ACCOUNT][REGION].sent_messages):
        raw = getattr(message, "raw_data", None)
        if raw is None:
            continue
        parsed = message_from_string(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        recipients = sorted({address.lower() for address in message.destinations})
        if to and to.lower() not in recipients:
            continue
        text, html = parsed.get_body(("plain",)), parsed.get_body(("html",))
        found.append(
            {
                "to": ", ".join(recipients),
                "subject": str(parsed["Subject"]),
                "text": text.get_content() if text else "",
                "html": html.get_content() if html else "",
                "sent_at": parsedate_to_datetime(str(parsed["Date"])).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        )
    return found
