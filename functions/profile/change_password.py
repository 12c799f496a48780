from aws_lambda_powertools.event_handler import Response, content_types

from comptasecure.domain import audit_log, password_change
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.models.password_change import PasswordChangeRequest, PasswordChangeResponse

router = api_router()


@router.post("/me/password")
def change_password(body: PasswordChangeRequest) -> Response[PasswordChangeResponse]:
    """Ask to change the password.

    Checks the current password, the confirmation and the new password's strength (12 to 128 characters,
    not a common one), then emails a code; the change takes effect with POST /me/password/confirm. Until
    then the old password keeps working.
    """
    caller = current_caller(router)
    status = password_change.request(
        caller.account_id,
        audit_log.Actor(caller.user_id, caller.email),
        body.current_password,
        body.new_password,
        body.new_password_confirmation,
    )
    return Response(202, content_types.APPLICATION_JSON, PasswordChangeResponse(status=status))


handler = lambda_handler(router)
