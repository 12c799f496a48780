from comptasecure.domain import groups
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.http.params import GroupId
from comptasecure.models.groups import GroupView

router = api_router()


@router.get("/groups/<group_id>")
def get_group(group_id: GroupId) -> GroupView:
    """Read a group.

    Its members, and how many FEC files were shared with it.
    """
    caller = current_caller(router)
    return GroupView.model_validate(groups.get(caller.account_id, group_id), from_attributes=True)


handler = lambda_handler(router)
