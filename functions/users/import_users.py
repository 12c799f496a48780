from aws_lambda_powertools.event_handler import Response, content_types

from comptasecure.domain import user_import
from comptasecure.http import Role, api_router, current_caller, lambda_handler
from comptasecure.http.body import raw_body
from comptasecure.models.invitations import InvitationResults

router = api_router()


@router.post("/users/import")
def import_users() -> Response[InvitationResults]:
    """CSV body (text/csv, or application/octet-stream): UTF-8 with or without BOM, or Windows-1252."""
    caller = current_caller(router)
    caller.require(Role.OWNER, Role.ADMIN)
    results = user_import.import_csv(caller.account_id, caller.user_id, raw_body(router))
    view = InvitationResults.model_validate({"results": results}, from_attributes=True)
    return Response(207, content_types.APPLICATION_JSON, view)


handler = lambda_handler(router)
