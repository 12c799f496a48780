from comptasecure.domain import audit_log, email_change
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.http.device import device_of
from comptasecure.models.email_change import EmailChangeConfirmRequest
from comptasecure.models.profile import Profile

router = api_router()


@router.post("/me/email/confirm")
def confirm_email_change(body: EmailChangeConfirmRequest) -> Profile:
    """Confirm the email change with the code sent to the new address.

    Login then works with the new email only; the old address gets a notice, and the caller's other
    sessions end.
    """
    caller = current_caller(router)
    actor = audit_log.Actor(caller.user_id, caller.email)
    profile = email_change.confirm(caller.account_id, actor, caller.session_id, body.code, device_of(router))
    return Profile.model_validate(profile, from_attributes=True)


handler = lambda_handler(router)
