from comptasecure.domain import groups
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.models.groups import GroupView

router = api_router()


@router.get("/groups/<group_id>")
def get_group(group_id: str) -> GroupView:
    caller = current_caller(router)
    return GroupView.model_validate(groups.get(caller.account_id, group_id), from_attributes=True)


handler = lambda_handler(router)
