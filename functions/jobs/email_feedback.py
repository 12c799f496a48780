"""EventBridge: SES bounces and complaints of the configuration set, marked on the users they concern.

Every stage of an account publishes to the same default bus: the rule's pattern and this function both
keep only the emails sent through this stage's configuration set (SES tags each event with it).
"""

from typing import Literal

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from comptasecure.domain import email_feedback
from comptasecure.observability import logger
from comptasecure.settings import require, settings

require()


class Recipient(BaseModel):
    emailAddress: str  # noqa: N815 - SES's field name


class Bounce(BaseModel):
    bounceType: str  # noqa: N815
    bouncedRecipients: list[Recipient]  # noqa: N815


class Complaint(BaseModel):
    complainedRecipients: list[Recipient]  # noqa: N815


class Mail(BaseModel):
    tags: dict[str, list[str]] = {}


class SesDeliveryFeedback(BaseModel):
    eventType: Literal["Bounce", "Complaint"]  # noqa: N815
    mail: Mail = Mail()
    bounce: Bounce | None = None
    complaint: Complaint | None = None


class SesFeedbackEvent(EventBridgeModel):
    detail: SesDeliveryFeedback


@logger.inject_lambda_context
@event_parser(model=SesFeedbackEvent)
def handler(event: SesFeedbackEvent, context: LambdaContext) -> dict[str, int]:
    feedback = event.detail
    if settings().email_configuration_set not in feedback.mail.tags.get("ses:configuration-set", []):
        logger.info("email feedback of another configuration set ignored", extra={"tags": feedback.mail.tags})
        return {"marked": 0}
    if feedback.bounce is not None:
        # A transient bounce (mailbox full, greylisting) says nothing lasting about the address.
        if feedback.bounce.bounceType != "Permanent":
            return {"marked": 0}
        recipients, kind = feedback.bounce.bouncedRecipients, email_feedback.BOUNCED
    elif feedback.complaint is not None:
        recipients, kind = feedback.complaint.complainedRecipients, email_feedback.COMPLAINED
    else:
        return {"marked": 0}
    marked = email_feedback.record([recipient.emailAddress for recipient in recipients], kind)
    logger.info("email feedback applied", extra={"kind": kind, "marked": marked})
    return {"marked": marked}
