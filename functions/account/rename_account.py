from comptasecure.domain import accounts, audit_log
from comptasecure.http import Role, api_router, current_caller, lambda_handler
from comptasecure.models.account import AccountView, UpdateAccountRequest

router = api_router()


@router.patch("/account")
def update_account(body: UpdateAccountRequest) -> AccountView:
    """Rename the account, or require MFA of its users.

    Any of `name` and `require_mfa`. With `require_mfa: true`, a user without MFA must enroll at their
    next login before getting tokens. Recorded in the audit trail.
    """
    caller = current_caller(router)
    caller.require(Role.OWNER)
    actor = audit_log.Actor(caller.user_id, caller.email)
    updated = accounts.update(caller.account_id, actor, name=body.name, require_mfa=body.require_mfa)
    return AccountView.model_validate(updated, from_attributes=True)


handler = lambda_handler(router)
