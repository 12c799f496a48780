from comptasecure.domain import accounts, audit_log
from comptasecure.http import Role, api_router, current_caller, lambda_handler
from comptasecure.models.account import AccountView, TransferOwnershipRequest

router = api_router()


@router.post("/account/transfer-ownership")
def transfer_ownership(body: TransferOwnershipRequest) -> AccountView:
    """Transfer the ownership to an admin.

    The target must be an active admin of the account; the former owner becomes an admin. Recorded in the
    audit trail.
    """
    caller = current_caller(router)
    caller.require(Role.OWNER)
    actor = audit_log.Actor(caller.user_id, caller.email)
    transferred = accounts.transfer_ownership(caller.account_id, actor, body.user_id)
    return AccountView.model_validate(transferred, from_attributes=True)


handler = lambda_handler(router)
