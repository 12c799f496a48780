from aws_lambda_powertools.event_handler import Response, content_types

from comptasecure.domain import audit_log, email_change
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.http.device import device_of
from comptasecure.models.email_change import EmailChangeRequest, EmailChangeResponse

router = api_router()


@router.post("/me/email")
def change_email(body: EmailChangeRequest) -> Response[EmailChangeResponse]:
    """Ask to change the caller's email.

    Checks the current password, then emails a code to the new address and a notice to the old one. The
    new address is claimed only at confirmation (POST /me/email/confirm).
    """
    caller = current_caller(router)
    actor = audit_log.Actor(caller.user_id, caller.email)
    status = email_change.request(caller.account_id, actor, body.new_email, body.current_password, device_of(router))
    return Response(202, content_types.APPLICATION_JSON, EmailChangeResponse(status=status))


handler = lambda_handler(router)
