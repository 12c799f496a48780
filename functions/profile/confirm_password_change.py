from aws_lambda_powertools.event_handler import Response

from comptasecure.domain import audit_log, password_change
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.http.device import device_of
from comptasecure.models.password_change import PasswordConfirmRequest

router = api_router()


@router.post("/me/password/confirm")
def confirm_password_change(body: PasswordConfirmRequest) -> Response[None]:
    """Confirm the password change with the emailed code.

    The new password replaces the old one at once, the caller's other sessions end, and an email tells
    the user their password changed (when, from which device and address).
    """
    caller = current_caller(router)
    actor = audit_log.Actor(caller.user_id, caller.email)
    password_change.confirm(caller.account_id, actor, caller.session_id, body.code, device_of(router))
    return Response(204)


handler = lambda_handler(router)
