from aws_lambda_powertools.event_handler import Response, content_types

from comptasecure.domain import user_import
from comptasecure.http import Role, api_router, current_caller, lambda_handler
from comptasecure.http.body import raw_body
from comptasecure.models.invitations import InvitationResults

router = api_router()


@router.post("/users/import")
def import_users() -> Response[InvitationResults]:
    """Invite users from a CSV file.

    The filled-in template (semicolons or commas, UTF-8 or Windows-1252, at most 1 MB and 1,000 rows),
    sent as `text/csv` or `application/octet-stream`. Each row is invited as by POST /users and reported
    on its own (207); a line that cannot be read refuses the file (422 `unreadable_csv`).
    """
    caller = current_caller(router)
    caller.require(Role.OWNER, Role.ADMIN)
    results = user_import.import_csv(caller.account_id, caller.user_id, raw_body(router))
    view = InvitationResults.model_validate({"results": results}, from_attributes=True)
    return Response(207, content_types.APPLICATION_JSON, view)


handler = lambda_handler(router)
