from comptasecure.domain import audit_log, folders
from comptasecure.http import MANAGERS, api_router, current_caller, lambda_handler
from comptasecure.models.folders import FolderShareRequest, FolderShareResult

router = api_router()


@router.post("/fecs/folder-shares")
def share_folder(body: FolderShareRequest) -> FolderShareResult:
    """Share a folder with users and groups.

    They see every file of the folder: those in it now and those added to it later (R-FOL-1). Groups expand
    to their members at this moment, as for a file: a user who joins a group later does not see the folder
    (R-GRP-2; POST /groups/{group_id}/reshare grants it). For a large folder (more files times users than
    one transaction holds) the files already in it are granted within seconds after the answer.
    """
    caller = current_caller(router)
    caller.require(*MANAGERS)
    sharer = audit_log.Actor(caller.user_id, caller.email)
    shared = folders.share(caller.account_id, sharer, body.folder, body.user_ids, body.group_ids)
    return FolderShareResult(folder=shared.folder, user_ids=shared.user_ids)


handler = lambda_handler(router)
