from comptasecure.domain import folders
from comptasecure.http import MANAGERS, api_router, current_caller, lambda_handler, pagination
from comptasecure.http.pagination import DEFAULT_LIMIT, Cursor, Limit
from comptasecure.models.folders import FolderPage

router = api_router()


@router.get("/fecs/folders")
def list_folders(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> FolderPage:
    """List the account's folders and who they are shared with.

    A folder exists as long as a file of the account names it (`folder` of POST /fecs); `fec_count` counts
    its files, `user_ids` the users it is shared with (each sees every file of it, those added later too).
    """
    caller = current_caller(router)
    caller.require(*MANAGERS)
    scope = f"{caller.account_id}:folders"
    items, last_key = folders.page(caller.account_id, limit, pagination.decode(cursor, scope))
    return FolderPage.model_validate(
        {"items": items, "next_cursor": pagination.encode(last_key, scope)}, from_attributes=True
    )


handler = lambda_handler(router)
