from comptasecure.domain import audit_log, groups
from comptasecure.http import MANAGERS, api_router, current_caller, lambda_handler
from comptasecure.http.params import GroupId
from comptasecure.models.group_update import GroupPatch, GroupUpdated

router = api_router()


@router.patch("/groups/<group_id>")
def update_group(group_id: GroupId, body: GroupPatch) -> GroupUpdated:
    """Rename a group or change its members.

    Members added do not see the files shared with the group before (R-GRP-2): `earlier_shares` says how
    many and for whom; POST /groups/{group_id}/reshare grants them. At most 95 members move in one edit.
    """
    caller = current_caller(router)
    caller.require(*MANAGERS)
    actor = audit_log.Actor(caller.user_id, caller.email)
    updated = groups.update(caller.account_id, actor, group_id, body.name, body.member_ids)
    return GroupUpdated.model_validate(updated, from_attributes=True)


handler = lambda_handler(router)
