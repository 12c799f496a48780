"""Workflow task (callback): email the invitation link; the execution waits for the password."""

from aws_lambda_powertools.utilities.parser import BaseModel, event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from comptasecure.domain import invitations
from comptasecure.observability import count, logger
from comptasecure.settings import require

require()


class InvitationMessage(BaseModel):
    """What the email says, given by whoever started the invitation (no read of the user or account)."""

    email: str
    first_name: str | None = None
    invited_by_name: str | None = None
    account_name: str


class SendInvitationTask(BaseModel):
    account_id: str
    user_id: str
    task_token: str
    execution_arn: str
    invitation: InvitationMessage


@logger.inject_lambda_context
@event_parser(model=SendInvitationTask)
def handler(event: SendInvitationTask, context: LambdaContext) -> dict[str, str]:
    message = invitations.InvitationMessage(**event.invitation.model_dump())
    expires_at = invitations.send(event.account_id, event.user_id, event.task_token, event.execution_arn, message)
    count("InvitationsSent")
    return {"expires_at": expires_at}
