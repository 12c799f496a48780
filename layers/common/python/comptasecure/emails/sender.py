"""Send an email through SES v2 as one MIME message holding both the text and the HTML part."""

from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from comptasecure import aws
from comptasecure.emails.templates import Email
from comptasecure.settings import settings


def send(to: str, email: Email) -> str:
    message = EmailMessage()
    message["Subject"] = email.subject
    message["From"] = formataddr(("ComptaSecure", settings().email_sender))
    message["To"] = to
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=settings().email_sender.split("@")[-1])
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    response = aws.sesv2().send_email(
        FromEmailAddress=settings().email_sender,
        # Through the configuration set, so SES reports bounces and complaints back to us.
        ConfigurationSetName=settings().email_configuration_set,
        Destination={"ToAddresses": [to]},
        Content={"Raw": {"Data": message.as_bytes()}},
    )
    return response["MessageId"]
