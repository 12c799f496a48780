from aws_lambda_powertools.event_handler import Response

from comptasecure.domain import user_import
from comptasecure.http import Role, api_router, current_caller, lambda_handler

router = api_router()


@router.get("/users/import-template")
def import_template() -> Response[bytes]:
    """Download the CSV template of the import.

    Semicolon-separated UTF-8 with BOM (what French Excel reads): `email;prenom;nom;role`.
    """
    caller = current_caller(router)
    caller.require(Role.OWNER, Role.ADMIN)
    return Response(
        200,
        "text/csv; charset=utf-8",
        user_import.template(),
        headers={"Content-Disposition": f'attachment; filename="{user_import.TEMPLATE_FILE_NAME}"'},
    )


handler = lambda_handler(router)
