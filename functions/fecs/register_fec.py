from aws_lambda_powertools.event_handler import Response, content_types

from comptasecure.domain import fecs
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.models.fecs import FecCreate, FecCreated

router = api_router()


@router.post("/fecs")
def register_fec(body: FecCreate) -> Response[FecCreated]:
    caller = current_caller(router)
    created = fecs.register(caller, body.file_name, body.folder)
    return Response(201, content_types.APPLICATION_JSON, FecCreated(**created))


handler = lambda_handler(router, requires=("fec_bucket",))
