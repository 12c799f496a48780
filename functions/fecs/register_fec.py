from aws_lambda_powertools.event_handler import Response, content_types

from comptasecure.domain import audit_log, fecs
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.models.fecs import FecCreate, FecCreated

router = api_router()


@router.post("/fecs")
def register_fec(body: FecCreate) -> Response[FecCreated]:
    """Register an FEC file and get its upload URL.

    Answers a presigned URL (valid 15 minutes) to PUT the file to; `naming_warning` says when the name
    does not follow the official `<SIREN>FEC<AAAAMMJJ>` naming.
    """
    caller = current_caller(router)
    importer = audit_log.Actor(caller.user_id, caller.email)
    created = fecs.register(caller.account_id, importer, body.file_name, body.folder)
    view = FecCreated.model_validate({**created.fec, "upload_url": created.upload_url})
    return Response(201, content_types.APPLICATION_JSON, view)


handler = lambda_handler(router, requires=("fec_bucket",))
