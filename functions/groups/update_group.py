from comptasecure.domain import audit_log, groups
from comptasecure.http import MANAGERS, api_router, current_caller, lambda_handler
from comptasecure.models.group_update import GroupPatch, GroupUpdated

router = api_router()


@router.patch("/groups/<group_id>")
def update_group(group_id: str, body: GroupPatch) -> GroupUpdated:
    caller = current_caller(router)
    caller.require(*MANAGERS)
    actor = audit_log.Actor(caller.user_id, caller.email)
    updated = groups.update(caller.account_id, actor, group_id, body.name, body.member_ids)
    return GroupUpdated.model_validate(updated, from_attributes=True)


handler = lambda_handler(router)
